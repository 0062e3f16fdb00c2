import { OBJECT_KEY_PATTERN } from '@docstore/contract';
import type { BucketLister, BucketObject, ReadyRow, ReconcileDocuments } from './ports.ts';

/** Rows and keys asked for per query: bounded memory whatever the bucket's size. */
const BATCH = 500;
/** Keys and ids kept in a report for the operator to read; the counts are always complete. */
const REPORT_SAMPLE = 100;

export interface ReconcileOptions {
  bucket: BucketLister;
  documents: ReconcileDocuments;
  /** Objects younger than this are left alone: an upload may still be on its way to its row. */
  graceMs: number;
  /** Report what would be done, change nothing. */
  dryRun?: boolean;
  now?: () => Date;
}

export interface ReconcileReport {
  dryRun: boolean;
  /** False when another run (another instance) held the lock: nothing was looked at. */
  ran: boolean;
  objectsScanned: number;
  readyRowsScanned: number;
  /** Objects younger than the grace period, not judged this run. */
  skippedTooYoung: number;
  /** Keys not of docstore's shape: reported, never touched (the blob service cannot name them). */
  foreignObjects: number;
  /** Objects no row owns (removed, unless a dry run). */
  orphansFound: number;
  orphansRemoved: number;
  /** Ready rows whose object is gone (marked `missing`, unless a dry run). */
  missingFound: number;
  rowsMarkedMissing: number;
  /**
   * `deleting` rows older than the grace period whose removal job is gone from the queue (requeued,
   * unless a dry run). Nothing known leaves one; each would otherwise stay forever with its object.
   */
  strandedDeletionsFound: number;
  removalsRequeued: number;
  /** Removals or marks that failed; the next run tries again. */
  errors: number;
  /** Up to 100 of each, for the operator. */
  orphanKeys: string[];
  missingDocumentIds: string[];
  strandedDocumentIds: string[];
  foreignKeys: string[];
  durationMs: number;
}

export function emptyReport(dryRun: boolean): ReconcileReport {
  return {
    dryRun,
    ran: true,
    objectsScanned: 0,
    readyRowsScanned: 0,
    skippedTooYoung: 0,
    foreignObjects: 0,
    orphansFound: 0,
    orphansRemoved: 0,
    missingFound: 0,
    rowsMarkedMissing: 0,
    strandedDeletionsFound: 0,
    removalsRequeued: 0,
    errors: 0,
    orphanKeys: [],
    missingDocumentIds: [],
    strandedDocumentIds: [],
    foreignKeys: [],
    durationMs: 0,
  };
}

function sample(list: string[], value: string): void {
  if (list.length < REPORT_SAMPLE) list.push(value);
}

async function* bucketObjects(bucket: BucketLister): AsyncGenerator<BucketObject> {
  let token: string | undefined;
  do {
    const page = await bucket.list(token);
    yield* page.items;
    token = page.nextContinuationToken ?? undefined;
  } while (token !== undefined);
}

async function* readyRows(documents: ReconcileDocuments): AsyncGenerator<ReadyRow> {
  let after: string | null = null;
  for (;;) {
    const rows = await documents.readyRowsByKey(after, BATCH);
    yield* rows;
    const last = rows.at(-1);
    if (rows.length < BATCH || last === undefined) return;
    after = last.objectKey;
  }
}

/** Byte order of ASCII keys (docstore's keys are ASCII); a mismatch costs a check, never a wrong change. */
function compareKeys(a: string, b: string): number {
  return a < b ? -1 : a > b ? 1 : 0;
}

/**
 * Diffs the bucket against the documents table both ways, in one ordered pass (a merge of the
 * bucket's listing and the ready rows, both in key order), with bounded memory:
 * - an object older than the grace period that no row owns is an orphan: removed;
 * - a ready row whose object is gone becomes `missing` (never deleted), after its absence is
 *   confirmed by asking the bucket again, since the listing is not a snapshot;
 * - a `deleting` row older than the grace period whose removal job is gone gets it queued again.
 * Every change is conditional (an owner check just before removing, a `status = 'ready'` check when
 * marking), so a run racing uploads and deletes changes nothing it should not; one run at a time
 * holds the lock across instances.
 */
export async function reconcile(options: ReconcileOptions): Promise<ReconcileReport> {
  const started = Date.now();
  const dryRun = options.dryRun ?? false;
  const result = await options.documents.withRunLock(() => runOnce(options, dryRun));
  const report = result.locked ? result.value : { ...emptyReport(dryRun), ran: false };
  report.durationMs = Date.now() - started;
  return report;
}

async function runOnce(options: ReconcileOptions, dryRun: boolean): Promise<ReconcileReport> {
  const { bucket, documents } = options;
  const report = emptyReport(dryRun);
  const cutoff = (options.now?.() ?? new Date()).getTime() - options.graceMs;
  let orphanCandidates: string[] = [];

  const settleOrphans = async () => {
    const candidates = orphanCandidates;
    orphanCandidates = [];
    if (candidates.length === 0) return;
    const owned = await documents.ownedKeys(candidates);
    for (const key of candidates) {
      if (owned.has(key)) continue;
      report.orphansFound += 1;
      sample(report.orphanKeys, key);
      if (dryRun) continue;
      try {
        await documents.removeObject(key);
        report.orphansRemoved += 1;
      } catch {
        report.errors += 1;
      }
    }
  };

  const onObjectWithoutReadyRow = async (object: BucketObject) => {
    if (!OBJECT_KEY_PATTERN.test(object.key)) {
      report.foreignObjects += 1;
      sample(report.foreignKeys, object.key);
      return;
    }
    if (object.lastModified.getTime() > cutoff) {
      report.skippedTooYoung += 1;
      return;
    }
    orphanCandidates.push(object.key);
    if (orphanCandidates.length >= BATCH) await settleOrphans();
  };

  const onReadyRowWithoutObject = async (row: ReadyRow) => {
    // The listing passed this key before the object arrived (an upload completed meanwhile)?
    if (await bucket.exists(row.objectKey)) return;
    report.missingFound += 1;
    sample(report.missingDocumentIds, row.id);
    if (dryRun) return;
    try {
      if (await documents.markMissing(row, 'the object is gone from the bucket'))
        report.rowsMarkedMissing += 1;
    } catch {
      report.errors += 1;
    }
  };

  const objects = bucketObjects(bucket);
  const rows = readyRows(documents);
  let object = await objects.next();
  let row = await rows.next();
  while (!object.done || !row.done) {
    const order = object.done ? 1 : row.done ? -1 : compareKeys(object.value.key, row.value.objectKey);
    if (order <= 0 && !object.done) report.objectsScanned += 1;
    if (order >= 0 && !row.done) report.readyRowsScanned += 1;
    if (order < 0 && !object.done) await onObjectWithoutReadyRow(object.value);
    if (order > 0 && !row.done) await onReadyRowWithoutObject(row.value);
    if (order <= 0) object = await objects.next();
    if (order >= 0) row = await rows.next();
  }
  await settleOrphans();
  await requeueStrandedDeletions(documents, new Date(cutoff), dryRun, report);
  return report;
}

async function requeueStrandedDeletions(
  documents: ReconcileDocuments,
  olderThan: Date,
  dryRun: boolean,
  report: ReconcileReport,
): Promise<void> {
  let afterId: string | null = null;
  for (;;) {
    let ids: string[];
    try {
      ids = await documents.strandedDeletions({ olderThan, afterId, limit: BATCH }, !dryRun);
    } catch {
      report.errors += 1;
      return;
    }
    report.strandedDeletionsFound += ids.length;
    if (!dryRun) report.removalsRequeued += ids.length;
    for (const id of ids) sample(report.strandedDocumentIds, id);
    afterId = ids.at(-1) ?? null;
    if (ids.length < BATCH || afterId === null) return;
  }
}
