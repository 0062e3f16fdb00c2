import { createBlobClient, DocstoreError } from '@docstore/contract';
import pg from 'pg';
import { AdminError } from './admin-error.ts';

/** How long each dependency gets to answer before the command says it is unreachable. */
export const CHECK_TIMEOUT_MS = 5_000;

/** `host:port` of a URL: what an operator needs to know, without the password. */
export function whereIs(url: string): string {
  try {
    const parsed = new URL(url);
    return parsed.port ? `${parsed.hostname}:${parsed.port}` : parsed.hostname;
  } catch {
    return 'an invalid URL';
  }
}

/** Fails fast, with a typed error, when PostgreSQL does not answer. */
export async function checkDatabase(databaseUrl: string): Promise<void> {
  const client = new pg.Client({
    connectionString: databaseUrl,
    connectionTimeoutMillis: CHECK_TIMEOUT_MS,
    query_timeout: CHECK_TIMEOUT_MS,
  });
  client.on('error', () => {});
  try {
    await client.connect();
    await client.query('select 1');
  } catch (cause) {
    const code = (cause as { code?: unknown }).code;
    // 28P01 bad password, 3D000 no such database: reachable, but the credentials are wrong.
    if (code === '28P01' || code === '28000' || code === '3D000')
      throw new AdminError('CONFIG', `PostgreSQL at ${whereIs(databaseUrl)} refused DATABASE_URL (${code})`, {
        cause,
      });
    throw new AdminError(
      'UNREACHABLE',
      `PostgreSQL at ${whereIs(databaseUrl)} did not answer within ${CHECK_TIMEOUT_MS / 1000} s`,
      { cause },
    );
  } finally {
    await client.end().catch(() => {});
  }
}

/** Fails fast when the blob service, or its bucket, does not answer. */
export async function checkBlob(blobUrl: string): Promise<void> {
  const health = await createBlobClient({ url: blobUrl })
    .health.query(undefined, { signal: AbortSignal.timeout(CHECK_TIMEOUT_MS) })
    .catch((cause: unknown) => {
      throw new AdminError(
        'UNREACHABLE',
        `the blob service at ${whereIs(blobUrl)} did not answer within ${CHECK_TIMEOUT_MS / 1000} s`,
        { cause },
      );
    });
  if (!health.ok)
    throw new AdminError(
      'UNREACHABLE',
      `the blob service at ${whereIs(blobUrl)} cannot reach its bucket (S3)`,
    );
}

/** A failure during the run, as the operator should read it. */
export function adminErrorOf(error: unknown): AdminError {
  if (error instanceof AdminError) return error;
  if (error instanceof DocstoreError) {
    if (error.code === 'UNAUTHORIZED')
      return new AdminError('CONFIG', 'the blob service refused BLOB_SERVICE_TOKEN', { cause: error });
    if (error.code === 'SERVICE_UNAVAILABLE')
      return new AdminError('UNREACHABLE', `a dependency stopped answering: ${error.message}`, {
        cause: error,
      });
  }
  const code = (error as { code?: unknown }).code;
  if (typeof code === 'string' && /^(ECONN|ETIMEDOUT|EPIPE|57P)/.test(code))
    return new AdminError('UNREACHABLE', 'PostgreSQL stopped answering', { cause: error });
  return new AdminError('FAILED', error instanceof Error ? error.message : String(error), { cause: error });
}
