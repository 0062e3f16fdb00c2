import { createHash } from 'node:crypto';
import type { Logger } from '@docstore/server-kit';
import pg from 'pg';
import { withAdvisoryLock } from '../store/advisory-lock.ts';

/** Every query here: a frozen database must not hang the check or the process. */
const QUERY_TIMEOUT_MS = 5_000;
const RECONNECT_MS = 1_000;

export interface DeadWorkerReleaseOptions {
  databaseUrl: string;
  logger: Logger;
  /** How often this instance looks for jobs locked by dead workers (and once at start). */
  intervalMs: number;
  /**
   * Jobs locked more recently are left alone: a worker that has just started may not hold its
   * liveness lock yet, and must not be mistaken for dead.
   */
  graceMs: number;
}

export interface DeadWorkerRelease {
  /** Proves `workerId` alive for as long as this process lives (a session advisory lock). */
  claim(workerId: string): void;
  start(): Promise<void>;
  stop(): Promise<void>;
}

/**
 * The advisory lock key of a worker id: 64 bits of sha256 under a docstore prefix, so it cannot
 * meet the reconciler's key or another worker's in practice. The same in every instance.
 */
export function workerLockKey(workerId: string): bigint {
  return createHash('sha256').update(`docstore job worker ${workerId}`).digest().readBigInt64BE(0);
}

/**
 * graphile-worker leaves a job locked for 4 hours when its process dies mid-job (SIGKILL, OOM, power
 * loss). Each instance holds a session advisory lock per worker on a connection of its own; PostgreSQL
 * drops it with the session when the process dies. Any instance then finds jobs locked (for longer
 * than the grace) by a worker whose lock it can take: that worker is dead, and its jobs are unlocked
 * at once (`force_unlock_workers`) so any instance runs them again. A live worker's lock is held, so
 * its jobs are never unlocked.
 */
export function createDeadWorkerRelease(options: DeadWorkerReleaseOptions): DeadWorkerRelease {
  const { logger } = options;
  const claimed = new Set<string>();
  let client: pg.Client | undefined;
  let stopped = false;
  let timer: NodeJS.Timeout | undefined;
  let retry: NodeJS.Timeout | undefined;
  let checking: Promise<void> | undefined;
  let claiming: Promise<void> = Promise.resolve();

  const newClient = () =>
    new pg.Client({
      connectionString: options.databaseUrl,
      connectionTimeoutMillis: QUERY_TIMEOUT_MS,
      query_timeout: QUERY_TIMEOUT_MS,
    });

  const lock = async (on: pg.Client, workerId: string): Promise<void> => {
    // Blocks only while another instance's check briefly holds it (it then finds no job of ours).
    await on.query('select pg_advisory_lock($1::bigint)', [workerLockKey(workerId).toString()]);
  };

  // The liveness connection: if it drops, our locks went with it, so take them all again.
  const connect = async (): Promise<void> => {
    const next = newClient();
    const lost = (error?: Error) => {
      if (stopped || client !== next) return;
      client = undefined;
      logger.warn('job queue liveness connection lost; reconnecting', { error: error?.message });
      next.end().catch(() => {});
      retry = setTimeout(() => void connectWithRetry(), RECONNECT_MS);
    };
    next.on('error', lost);
    next.on('end', () => lost());
    await next.connect();
    for (const workerId of claimed) await lock(next, workerId);
    client = next;
  };
  const connectWithRetry = async () => {
    try {
      await connect();
    } catch (error) {
      if (stopped) return;
      logger.warn('job queue liveness connection failed; retrying', { error: String(error) });
      retry = setTimeout(() => void connectWithRetry(), RECONNECT_MS);
    }
  };

  const lockedBy = async (): Promise<string[]> => {
    const reader = newClient();
    reader.on('error', () => {});
    try {
      await reader.connect();
      const result = await reader.query<{ locked_by: string }>(
        `select distinct locked_by from graphile_worker._private_jobs
          where locked_by is not null and locked_at < now() - make_interval(secs => $1)`,
        [options.graceMs / 1000],
      );
      return result.rows.map((row) => row.locked_by);
    } finally {
      await reader.end().catch(() => {});
    }
  };

  const unlock = async (workerId: string) => {
    const writer = newClient();
    writer.on('error', () => {});
    try {
      await writer.connect();
      await writer.query('select graphile_worker.force_unlock_workers($1::text[])', [[workerId]]);
    } finally {
      await writer.end().catch(() => {});
    }
  };

  const check = async () => {
    for (const workerId of await lockedBy()) {
      if (claimed.has(workerId)) continue;
      // Taking the lock proves nobody holds it: the worker's session is gone. We hold it while
      // unlocking so that two instances do not both act; it goes when the connection ends.
      const result = await withAdvisoryLock(options.databaseUrl, workerLockKey(workerId), () =>
        unlock(workerId),
      );
      if (result.locked) logger.warn('released the jobs of a dead job worker', { workerId });
    }
  };

  const tick = () => {
    if (checking || stopped) return;
    checking = check()
      .catch((error: unknown) => logger.warn('looking for dead job workers failed', { error: String(error) }))
      .finally(() => {
        checking = undefined;
      });
  };

  return {
    claim(workerId) {
      claimed.add(workerId);
      // Without a connection now, the reconnect takes every claimed lock.
      const current = client;
      if (!current) return;
      // One query at a time on a client (pg 8 deprecates queueing them; pg 9 refuses).
      claiming = claiming
        .then(() => lock(current, workerId))
        .catch((error: unknown) =>
          logger.warn('job worker liveness lock failed', { workerId, error: String(error) }),
        );
    },
    async start() {
      await connect();
      tick();
      timer = setInterval(tick, options.intervalMs);
      timer.unref();
    },
    async stop() {
      stopped = true;
      clearInterval(timer);
      clearTimeout(retry);
      await checking;
      await claiming;
      const current = client;
      client = undefined;
      await current?.end().catch(() => {});
    },
  };
}
