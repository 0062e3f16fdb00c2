import type { Logger } from '@docstore/server-kit';
import type { Store } from '../../store/store.ts';

/**
 * How often a streaming upload touches its row: well under UPLOAD_TTL_SECONDS whatever it is, so
 * the sweeper (which removes rows untouched for a TTL) never takes a row whose bytes still flow.
 */
export function keepAliveMs(uploadTtlSeconds: number): number {
  return Math.max(100, Math.min(60_000, (uploadTtlSeconds * 1000) / 4));
}

/**
 * Touches the pending row on a timer while the upload runs (bytes or not: a slow client is still
 * a client). If the row is no longer pending (deleted or swept), `onGone` stops the upload.
 */
export function startKeepAlive(options: {
  store: Store;
  documentId: string;
  uploadTtlSeconds: number;
  logger: Logger;
  onGone(): void;
}): { stop(): void } {
  const timer = setInterval(() => {
    options.store.documents.touchPending(options.documentId).then(
      (alive) => {
        if (!alive) options.onGone();
      },
      (error: unknown) =>
        options.logger.warn('could not keep an upload alive', {
          documentId: options.documentId,
          error: String(error),
        }),
    );
  }, keepAliveMs(options.uploadTtlSeconds));
  timer.unref();
  return { stop: () => clearInterval(timer) };
}
