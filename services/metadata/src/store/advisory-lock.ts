import { DocstoreError } from '@docstore/contract';
import pg from 'pg';

/** pg_try_advisory_lock's key: any constant, the same in every instance ("docstore reconcile"). */
export const RECONCILE_LOCK_KEY = 0x646f_6373_7263_6e63n;
const LOCK_TIMEOUT_MS = 5_000;

/**
 * Runs `work` while holding a session advisory lock on a connection of its own (a session lock must
 * stay on one connection, which a pool does not promise); `{ locked: false }` without running it
 * when another session holds the lock. The lock goes when the connection ends, even if `work` throws.
 */
export async function withAdvisoryLock<T>(
  databaseUrl: string,
  key: bigint,
  work: () => Promise<T>,
): Promise<{ locked: true; value: T } | { locked: false }> {
  const client = new pg.Client({
    connectionString: databaseUrl,
    connectionTimeoutMillis: LOCK_TIMEOUT_MS,
    // pg_try_advisory_lock never waits for the lock; this bounds a frozen server.
    query_timeout: LOCK_TIMEOUT_MS,
  });
  // A dropped lock connection must not crash the process; the run's own queries report it.
  client.on('error', () => {});
  try {
    await client.connect();
  } catch (cause) {
    await client.end().catch(() => {});
    throw new DocstoreError('SERVICE_UNAVAILABLE', 'the database is unavailable', { cause });
  }
  try {
    const result = await client.query<{ locked: boolean }>('select pg_try_advisory_lock($1) as locked', [
      key.toString(),
    ]);
    if (result.rows[0]?.locked !== true) return { locked: false };
    return { locked: true, value: await work() };
  } finally {
    await client.end().catch(() => {});
  }
}
