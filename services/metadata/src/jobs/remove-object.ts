import { z } from 'zod';
import type { BlobGateway } from '../adapters/blob-gateway.ts';
import type { TaskHandler } from '../adapters/job-queue.ts';
import type { Store } from '../store/store.ts';

const payloadSchema = z.object({
  key: z.string().nullable(),
  documentId: z.uuid().optional(),
});

/**
 * `remove_object`: removes an object after the commit that decided it must go, then the `deleting`
 * row that owned it (if any). Both steps are idempotent, so a retry after a crash in between is
 * harmless; a blob failure throws and the queue retries with backoff.
 */
export function removeObjectTask(deps: { blob: BlobGateway; store: () => Store }): TaskHandler {
  return async (raw) => {
    const payload = payloadSchema.parse(raw);
    if (payload.key !== null) await deps.blob.delete(payload.key);
    if (payload.documentId !== undefined) await deps.store().documents.removeDeleted(payload.documentId);
  };
}
