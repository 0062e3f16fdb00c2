import { randomUUID } from 'node:crypto';
import { createMetadataClient, type MetadataClient } from '@docstore/contract';
import pg from 'pg';
import { inject } from 'vitest';

export function metadataClient(url = inject('metadataUrl')): MetadataClient {
  return createMetadataClient({ url });
}

/** A name no other test uses: tests share one user until authentication lands. */
export function unique(prefix: string): string {
  return `${prefix}-${randomUUID().slice(0, 8)}`;
}

/** Runs one query against the metadata database directly, to check what the service stored. */
export async function queryDatabase<Row extends pg.QueryResultRow>(
  sql: string,
  params: unknown[] = [],
): Promise<Row[]> {
  const client = new pg.Client({ connectionString: inject('databaseUrl') });
  await client.connect();
  try {
    return (await client.query<Row>(sql, params)).rows;
  } finally {
    await client.end();
  }
}

/** The error data a typed client call failed with (code, httpStatus, appCode, zodError). */
export async function errorOf(
  call: Promise<unknown>,
): Promise<{ code: string; appCode: string; message: string }> {
  try {
    await call;
  } catch (error) {
    const { data, message } = error as { data?: { code: string; appCode: string }; message: string };
    if (data) return { ...data, message };
    throw error;
  }
  throw new Error('expected the call to fail');
}
