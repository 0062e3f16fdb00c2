import { DocstoreError, type UploadMeta } from '@docstore/contract';
import type { Logger } from '@docstore/server-kit';
import type { BlobGateway } from '../../adapters/blob-gateway.ts';
import type { Progress, Store } from '../../store/store.ts';
import type { Caller } from '../caller.ts';

/** What both upload paths need: the caller's store, the blob service, and the limits. */
export interface UploadDeps {
  store: Store;
  blob: BlobGateway;
  caller: Caller;
  logger: Logger;
  maxUploadBytes: number;
  uploadTtlSeconds: number;
  proxiedUploadRoute: ProxiedUploadRoute;
  onBytesStreamed?: (bytes: number) => void;
}

/** PROXIED_UPLOAD_ROUTE: `s3` (two hops, a PUT the blob service signs) or `blob` (`objects.put`). */
export type ProxiedUploadRoute = 's3' | 'blob';

export type ResolvedUploadMeta = Required<Pick<UploadMeta, 'name' | 'mimeType' | 'topics'>> & {
  size?: number;
};

export function checkSize(size: number | undefined, max: number): void {
  if (size !== undefined && size > max) {
    throw new DocstoreError('PAYLOAD_TOO_LARGE', `size ${size} is over the limit of ${max} bytes`);
  }
}

/**
 * pending | stored → failed, with the object's removal enqueued by the transition. When even that
 * cannot be written (the row vanished, the database is down), the removal is enqueued on its own;
 * failing that, the reconciler finds the object (its key names a document no row owns).
 */
export async function failUpload(
  deps: UploadDeps,
  id: string,
  key: string,
  reason: string,
  progress: Progress,
): Promise<void> {
  const { store, caller, logger } = deps;
  try {
    await store.documents.markFailed(caller.userId, id, reason, progress);
  } catch (error) {
    logger.warn('could not mark an upload failed', { documentId: id, error: String(error) });
    await store.jobs
      .enqueueObjectRemoval({ key })
      .catch((cleanup: unknown) =>
        logger.error('object left for the reconciler', { key, error: String(cleanup) }),
      );
  }
}
