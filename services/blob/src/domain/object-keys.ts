import { randomUUID } from 'node:crypto';
import { DocstoreError } from '@docstore/contract';

/** MIME types whose extension is used when the original name has none worth keeping. */
const EXTENSION_BY_MIME_TYPE: Readonly<Record<string, string>> = {
  'application/pdf': '.pdf',
  'application/json': '.json',
  'application/zip': '.zip',
  'application/gzip': '.gz',
  'application/xml': '.xml',
  'application/msword': '.doc',
  'application/vnd.openxmlformats-officedocument.wordprocessingml.document': '.docx',
  'application/vnd.openxmlformats-officedocument.spreadsheetml.sheet': '.xlsx',
  'application/vnd.openxmlformats-officedocument.presentationml.presentation': '.pptx',
  'application/vnd.ms-excel': '.xls',
  'text/plain': '.txt',
  'text/markdown': '.md',
  'text/csv': '.csv',
  'text/html': '.html',
  'image/png': '.png',
  'image/jpeg': '.jpg',
  'image/gif': '.gif',
  'image/webp': '.webp',
  'image/svg+xml': '.svg',
  'audio/mpeg': '.mp3',
  'video/mp4': '.mp4',
};

const SAFE_EXTENSION = /^[a-z0-9]{1,10}$/;

/**
 * The key's extension: the original name's last extension, lower-cased, when it is 1-10 of [a-z0-9];
 * else the MIME type's; else none. A leading-dot name (".bashrc") has no extension.
 */
export function deriveExtension(name: string, mimeType?: string): string {
  const base = name.slice(Math.max(name.lastIndexOf('/'), name.lastIndexOf('\\')) + 1);
  const dot = base.lastIndexOf('.');
  if (dot > 0) {
    const candidate = base.slice(dot + 1).toLowerCase();
    if (SAFE_EXTENSION.test(candidate)) return `.${candidate}`;
  }
  const essence = mimeType?.split(';')[0]?.trim().toLowerCase();
  return (essence && EXTENSION_BY_MIME_TYPE[essence]) ?? '';
}

/** `{userId}/{documentId}/{uuid v4}{ext}`: generated here only, never from a caller's key. */
export function generateObjectKey(
  userId: string,
  documentId: string,
  name: string,
  mimeType?: string,
): string {
  return `${userId.toLowerCase()}/${documentId.toLowerCase()}/${randomUUID()}${deriveExtension(name, mimeType)}`;
}

/**
 * A key a caller hands back (one `reserveKey` made): it must have the key shape (the contract's
 * schema checked that) and sit under this user's and document's prefix, so a caller cannot write
 * into another document's place. Else INVALID_INPUT.
 */
export function acceptReservedKey(key: string, userId: string, documentId: string): string {
  const prefix = `${userId.toLowerCase()}/${documentId.toLowerCase()}/`;
  if (!key.startsWith(prefix)) {
    throw new DocstoreError('INVALID_INPUT', 'the object key does not belong to this user and document');
  }
  return key;
}
