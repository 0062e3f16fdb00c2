/**
 * What the reconciler needs from the outside world: two small interfaces, so its rules are tested
 * in-process against fakes and wired in main.ts (and the operator command) to the real ones.
 */

/** An object as the bucket lists it. */
export interface BucketObject {
  key: string;
  size: number;
  lastModified: Date;
}

/** The bucket, as the reconciler reads it (the blob service's `objects.list` and `objects.stat`). */
export interface BucketLister {
  /** One page in key order (byte order, as S3 lists); `nextContinuationToken` null on the last page. */
  list(continuationToken: string | undefined): Promise<{
    items: BucketObject[];
    nextContinuationToken: string | null;
  }>;
  /** Whether the object is there now; throws when the bucket cannot answer. */
  exists(key: string): Promise<boolean>;
}

/** A `ready` row and the object it points at. */
export interface ReadyRow {
  id: string;
  objectKey: string;
}

/**
 * The documents table as the reconciler reads and changes it; implemented on the life-cycle store
 * in reconcile-wiring.ts.
 */
export interface ReconcileDocuments {
  /** Of `keys`, those that some row (any status) records as its object key. */
  ownedKeys(keys: string[]): Promise<Set<string>>;
  /** Up to `limit` ready rows with an object key, ordered by key (byte order), keys after `afterKey`. */
  readyRowsByKey(afterKey: string | null, limit: number): Promise<ReadyRow[]>;
  /**
   * `ready` → `missing` for this row if it is still ready with this key, with a status event and an
   * audit row in the same transaction; false when the row changed meanwhile (nothing written).
   */
  markMissing(row: ReadyRow, reason: string): Promise<boolean>;
  /**
   * Up to `limit` ids, after `afterId` in id order, of `deleting` rows changed before `olderThan` whose
   * removal job is no longer queued; with `requeue`, their removal is queued again.
   */
  strandedDeletions(
    page: { olderThan: Date; afterId: string | null; limit: number },
    requeue: boolean,
  ): Promise<string[]>;
  /** Removes an object no row owns (idempotent; a failure is retried by the next run). */
  removeObject(key: string): Promise<void>;
  /**
   * Runs `work` while holding the reconciler's lock (one run at a time across every instance);
   * answers `{ locked: false }` without running it when another run holds the lock.
   */
  withRunLock<T>(work: () => Promise<T>): Promise<{ locked: true; value: T } | { locked: false }>;
}
