import type { Logger } from '@docstore/server-kit';
import type { MikroORM } from '@mikro-orm/postgresql';
import type { BlobGateway } from '../adapters/blob-gateway.ts';
import type { SweeperMetrics } from '../metrics.ts';
import { pruneStatusEvents, recordStatus } from './status/status-store.ts';

const BATCH = 100;

export interface SweeperOptions {
  orm: MikroORM;
  blob: BlobGateway;
  logger: Logger;
  uploadTtlSeconds: number;
  retentionHours: number;
  /** Default: every UPLOAD_TTL_SECONDS / 2, at most every minute. */
  intervalMs?: number;
  metrics?: SweeperMetrics;
}

interface ExpiredRow {
  id: string;
  user_id: string;
  object_key: string | null;
  size: string | number;
}

/**
 * Removes uploads left pending longer than UPLOAD_TTL_SECONDS (object and row; a proxied upload that
 * still streams keeps its row fresh) and status events past their retention. Safe with several
 * instances: a row is claimed by exactly one of them (FOR UPDATE SKIP LOCKED).
 */
export async function sweepOnce(options: SweeperOptions): Promise<{ expired: number; pruned: number }> {
  const em = options.orm.em.fork();
  let expired = 0;
  for (;;) {
    const rows = await em.getConnection().execute<ExpiredRow[]>(
      `delete from documents where id in (
         select id from documents
          where status = 'pending' and updated_at < now() - make_interval(secs => ?)
          limit ${BATCH} for update skip locked)
       returning id, user_id, object_key, size`,
      [options.uploadTtlSeconds],
    );
    for (const row of rows) {
      if (row.object_key) {
        await options.blob.delete(row.object_key).catch((error: unknown) =>
          options.logger.warn('could not remove the object of an expired upload', {
            key: row.object_key,
            error: String(error),
          }),
        );
      }
      await recordStatus(em, row.user_id, {
        documentId: row.id,
        status: 'deleted',
        receivedBytes: 0,
        totalBytes: Number(row.size),
        error: `upload not completed within ${options.uploadTtlSeconds} s`,
      });
    }
    expired += rows.length;
    if (rows.length < BATCH) break;
  }
  const pruned = await pruneStatusEvents(em, options.retentionHours);
  return { expired, pruned };
}

export function startSweeper(options: SweeperOptions): { stop(): void } {
  const intervalMs = options.intervalMs ?? Math.min(60_000, (options.uploadTtlSeconds * 1000) / 2);
  let running = false;
  const timer = setInterval(() => {
    if (running) return;
    running = true;
    sweepOnce(options)
      .then(({ expired, pruned }) => {
        options.metrics?.swept({ expired, pruned });
        if (expired + pruned > 0)
          options.logger.info('swept', { expiredUploads: expired, prunedEvents: pruned });
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
