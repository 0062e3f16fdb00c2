import pg from 'pg';

const PROBE_EVERY_MS = 5_000;
const PROBE_TIMEOUT_MS = 3_000;
/** Consecutive failed probes before PostgreSQL counts as dead: one slow moment is not an outage. */
const FAILURES_TO_DEAD = 3;

/**
 * Probes PostgreSQL with `SELECT 1` on a fresh connection every few seconds and calls `onDead` once
 * when it has failed several times in a row (a frozen or wedged server whose process still runs).
 */
export function watchPostgres(url: string, onDead: () => void): { stop(): void } {
  let failures = 0;
  let stopped = false;
  const probe = async () => {
    const client = new pg.Client({
      connectionString: url,
      connectionTimeoutMillis: PROBE_TIMEOUT_MS,
      query_timeout: PROBE_TIMEOUT_MS,
    });
    try {
      await client.connect();
      await client.query('SELECT 1');
      failures = 0;
    } catch {
      failures++;
    } finally {
      client.end().catch(() => {});
    }
    if (stopped) return;
    if (failures >= FAILURES_TO_DEAD) {
      stopped = true;
      onDead();
      return;
    }
    timer = setTimeout(probe, PROBE_EVERY_MS);
  };
  let timer = setTimeout(probe, PROBE_EVERY_MS);
  return {
    stop() {
      stopped = true;
      clearTimeout(timer);
    },
  };
}
