import { DocstoreError } from '@docstore/contract';

/** A position in the newest-first listing: the last row's (createdAt, id). */
export interface PagePosition {
  createdAt: Date;
  id: string;
}

/** Opaque to clients: base64url of the position. */
export function encodeCursor(position: PagePosition): string {
  return Buffer.from(JSON.stringify([position.createdAt.toISOString(), position.id])).toString('base64url');
}

export function decodeCursor(cursor: string): PagePosition {
  try {
    const [createdAt, id] = JSON.parse(Buffer.from(cursor, 'base64url').toString('utf8')) as [
      unknown,
      unknown,
    ];
    const date = new Date(String(createdAt));
    if (typeof id !== 'string' || !/^[0-9a-f-]{36}$/.test(id) || Number.isNaN(date.getTime()))
      throw new Error();
    return { createdAt: date, id };
  } catch {
    throw new DocstoreError('INVALID_INPUT', 'cursor is not one this service issued');
  }
}
