import { DocstoreError } from '@docstore/contract';
import type { MikroORM } from '@mikro-orm/postgresql';
import { createBlobBucketLister } from './adapters/blob-bucket.ts';
import type { ReconcileDocuments } from './domain/reconciler/ports.ts';
import { type ReconcileReport, reconcile } from './domain/reconciler/reconciler.ts';
import { RECONCILE_LOCK_KEY, withAdvisoryLock } from './store/advisory-lock.ts';
import { createStore } from './store/store.ts';

export interface ReconcileWiring {
  orm: MikroORM;
  databaseUrl: string;
  blobUrl: string;
  blobServiceToken: string;
  /** Objects younger than this are not judged (UPLOAD_TTL_SECONDS). */
  graceSeconds: number;
}

/**
 * The reconciler's documents side on the life-cycle store: `missing` only through the store's
 * transition (event, audit and counts with it). An orphan is removed at once through the blob
 * service: the removal is idempotent and needs no durable record, since an object no row owns stays
 * in the listing until it is gone, and the next run (any instance, any restart) tries it again.
 */
function storeDocuments(
  wiring: ReconcileWiring,
  removeObject: (key: string) => Promise<void>,
): ReconcileDocuments {
  const store = () => createStore(wiring.orm.em);
  return {
    async ownedKeys(keys) {
      return new Set((await store().documents.ownersOf(keys)).keys());
    },
    async readyRowsByKey(afterKey, limit) {
      const rows = await store().documents.readyAfter(afterKey ?? '', limit);
      return rows.map((row) => ({ id: row.id, objectKey: row.objectKey }));
    },
    async markMissing(row) {
      try {
        await store().documents.markMissing(row.id, row.objectKey);
        return true;
      } catch (error) {
        // The row moved on meanwhile (deleted, or no longer this key): nothing to mark.
        if (error instanceof DocstoreError && error.code === 'CONFLICT') return false;
        throw error;
      }
    },
    async strandedDeletions(page, requeue) {
      return (await store().documents.strandedDeletions(page, requeue)).map((row) => row.id);
    },
    removeObject,
    withRunLock: (work) => withAdvisoryLock(wiring.databaseUrl, RECONCILE_LOCK_KEY, work),
  };
}

/**
 * The reconciler wired to the real bucket (through the blob service) and the real table: one place,
 * used by the service's schedule and by `docstore-admin reconcile`.
 */
export function createReconcileRun(wiring: ReconcileWiring): (dryRun: boolean) => Promise<ReconcileReport> {
  const bucket = createBlobBucketLister({ url: wiring.blobUrl, token: wiring.blobServiceToken });
  const documents = storeDocuments(wiring, (key) => bucket.remove(key));
  return (dryRun) => reconcile({ bucket, documents, graceMs: wiring.graceSeconds * 1000, dryRun });
}
