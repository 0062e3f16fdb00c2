import type { Logger } from '@docstore/server-kit';
import type { MikroORM } from '@mikro-orm/postgresql';
import type { SweeperMetrics } from '../metrics.ts';
import { createStore } from '../store/store.ts';
import { pruneStatusEvents } from './status/status-store.ts';

const BATCH = 100;

export interface SweeperOptions {
  orm: MikroORM;
  logger: Logger;
  uploadTtlSeconds: number;
  /** `failed` rows (and their objects) are removed this long after they failed. */
  failedRetentionHours: number;
  retentionHours: number;
  /** Default: every UPLOAD_TTL_SECONDS / 2, at most every minute. */
  intervalMs?: number;
  metrics?: SweeperMetrics;
}

/**
 * Moves to `deleting` (in batches, each one transaction with its removal jobs):
 * - uploads untouched for UPLOAD_TTL_SECONDS (`pending`, or `stored` but never made ready); a
 *   proxied upload that still streams touches its row every TTL/4 or sooner, so it is never taken;
 * - `failed` rows older than FAILED_RETENTION_HOURS.
 * The `remove_object` job then removes each object and row. Also prunes old status events. Safe with
 * several instances: a row is claimed by exactly one of them (FOR UPDATE SKIP LOCKED).
 */
export async function sweepOnce(
  options: SweeperOptions,
): Promise<{ expired: number; retired: number; pruned: number }> {
  const store = createStore(options.orm.em);
  const drain = async (claim: () => Promise<number>) => {
    let total = 0;
    for (;;) {
      const claimed = await claim();
      total += claimed;
      if (claimed < BATCH) return total;
    }
  };
  const expired = await drain(
    async () =>
      (
        await store.withTransaction((tx) =>
          tx.documents.claimStale(
            ['pending', 'stored'],
            options.uploadTtlSeconds,
            BATCH,
            `upload not completed within ${options.uploadTtlSeconds} s`,
          ),
        )
      ).length,
  );
  const retired = await drain(
    async () =>
      (
        await store.withTransaction((tx) =>
          tx.documents.claimStale(
            ['failed'],
            options.failedRetentionHours * 3600,
            BATCH,
            `failed upload kept ${options.failedRetentionHours} h`,
          ),
        )
      ).length,
  );
  const pruned = await pruneStatusEvents(options.orm.em.fork(), options.retentionHours);
  return { expired, retired, pruned };
}

export function startSweeper(options: SweeperOptions): { stop(): void } {
  const intervalMs =
    options.intervalMs ??
    Math.max(
      250,
      Math.min(
        60_000,
        (options.uploadTtlSeconds * 1000) / 2,
        (options.failedRetentionHours * 3600 * 1000) / 2,
      ),
    );
  let running = false;
  const timer = setInterval(() => {
    if (running) return;
    running = true;
    sweepOnce(options)
      .then(({ expired, retired, pruned }) => {
        options.metrics?.swept({ expired, retired, pruned });
        if (expired + retired + pruned > 0)
          options.logger.info('swept', {
            expiredUploads: expired,
            retiredFailures: retired,
            prunedEvents: pruned,
          });
      })
      .catch((error: unknown) => {
        options.metrics?.failed();
        options.logger.warn('sweep failed', { error: String(error) });
      })
      .finally(() => {
        running = false;
      });
  }, intervalMs);
  timer.unref();
  return { stop: () => clearInterval(timer) };
}
