import type { MikroORM } from '@mikro-orm/postgresql';
import { createBlobBucketLister } from './adapters/blob-bucket.ts';
import { createSqlReconcileDocuments } from './adapters/reconcile-documents-sql.ts';
import { type ReconcileReport, reconcile } from './domain/reconciler/reconciler.ts';

export interface ReconcileWiring {
  orm: MikroORM;
  databaseUrl: string;
  blobUrl: string;
  blobServiceToken: string;
  /** Objects younger than this are not judged (UPLOAD_TTL_SECONDS). */
  graceSeconds: number;
}

/**
 * The reconciler wired to the real bucket (through the blob service) and the real table: one place,
 * used by the service's schedule and by `docstore-admin reconcile`.
 */
export function createReconcileRun(wiring: ReconcileWiring): (dryRun: boolean) => Promise<ReconcileReport> {
  const bucket = createBlobBucketLister({ url: wiring.blobUrl, token: wiring.blobServiceToken });
  const documents = createSqlReconcileDocuments({
    orm: wiring.orm,
    databaseUrl: wiring.databaseUrl,
    removeObject: (key) => bucket.remove(key),
  });
  return (dryRun) => reconcile({ bucket, documents, graceMs: wiring.graceSeconds * 1000, dryRun });
}
