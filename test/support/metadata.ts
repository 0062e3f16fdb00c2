import { randomUUID } from 'node:crypto';
import { createMetadataClient, type MetadataClient, mintToken, type StatusSocket } from '@docstore/contract';
import pg from 'pg';
import { inject } from 'vitest';

/** An access token for `userId` (default: the run's main test user), signed with the run's secret. */
export function tokenFor(userId = inject('devUserId'), ttlSeconds = 3600): Promise<string> {
  return mintToken({ secret: inject('authSecret'), userId, ttlSeconds });
}

/** A typed client signed in as `userId` (default: the run's main test user). */
export async function metadataClient(
  options: { url?: string; userId?: string; wsClient?: StatusSocket } = {},
): Promise<MetadataClient> {
  return createMetadataClient({
    url: options.url ?? inject('metadataUrl'),
    token: await tokenFor(options.userId),
    wsClient: options.wsClient,
  });
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
