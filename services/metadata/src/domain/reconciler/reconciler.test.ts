import { randomUUID } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import type { BucketLister, BucketObject, ReadyRow, ReconcileDocuments } from './ports.ts';
import { reconcile } from './reconciler.ts';

const NOW = new Date('2026-11-30T12:00:00Z');
const GRACE_MS = 3_600_000;
const OLD = new Date(NOW.getTime() - 2 * GRACE_MS);
const YOUNG = new Date(NOW.getTime() - 1_000);

function newKey(): string {
  return `${randomUUID()}/${randomUUID()}/${randomUUID()}.pdf`;
}

/** A bucket in memory, listed in pages of `pageSize` in key order, like S3. */
class FakeBucket implements BucketLister {
  readonly objects = new Map<string, BucketObject>();
  listCalls = 0;
  constructor(private readonly pageSize = 3) {}

  put(key: string, lastModified = OLD): void {
    this.objects.set(key, { key, size: 1, lastModified });
  }

  async list(token: string | undefined) {
    this.listCalls += 1;
    const keys = [...this.objects.keys()].sort();
    const start = token === undefined ? 0 : keys.findIndex((key) => key > token);
    const slice = start < 0 ? [] : keys.slice(start, start + this.pageSize);
    const last = slice.at(-1);
    const more = start >= 0 && start + this.pageSize < keys.length;
    return {
      items: slice.map((key) => this.objects.get(key) as BucketObject),
      nextContinuationToken: more && last !== undefined ? last : null,
    };
  }

  async exists(key: string) {
    return this.objects.has(key);
  }
}

interface FakeRow extends ReadyRow {
  status: string;
}

/** The documents side in memory, with the lock of a shared database. */
class FakeDocuments implements ReconcileDocuments {
  readonly rows = new Map<string, FakeRow>();
  readonly events: Array<{ documentId: string; status: string }> = [];
  readonly audit: Array<{ documentId: string; action: string }> = [];
  readonly removed: string[] = [];
  locked = false;
  failRemovals = false;

  constructor(private readonly bucket: FakeBucket) {}

  add(status: string, objectKey: string): FakeRow {
    const row = { id: randomUUID(), userId: randomUUID(), objectKey, size: 1, status };
    this.rows.set(row.id, row);
    return row;
  }

  async ownedKeys(keys: string[]) {
    const owned = new Set([...this.rows.values()].map((row) => row.objectKey));
    return new Set(keys.filter((key) => owned.has(key)));
  }

  async readyRowsByKey(afterKey: string | null, limit: number) {
    return [...this.rows.values()]
      .filter((row) => row.status === 'ready' && (afterKey === null || row.objectKey > afterKey))
      .sort((a, b) => (a.objectKey < b.objectKey ? -1 : 1))
      .slice(0, limit);
  }

  async markMissing(row: ReadyRow) {
    const current = this.rows.get(row.id);
    if (current?.status !== 'ready' || current.objectKey !== row.objectKey) return false;
    current.status = 'missing';
    this.events.push({ documentId: row.id, status: 'missing' });
    this.audit.push({ documentId: row.id, action: 'document.missing' });
    return true;
  }

  /** Ids of `deleting` rows whose removal job is gone, and those requeued so far. */
  readonly stranded = new Set<string>();
  readonly requeued: string[] = [];

  async strandedDeletions(page: { afterId: string | null; limit: number }, requeue: boolean) {
    const ids = [...this.stranded]
      .filter((id) => page.afterId === null || id > page.afterId)
      .sort()
      .slice(0, page.limit);
    if (requeue)
      for (const id of ids) {
        this.stranded.delete(id);
        this.requeued.push(id);
      }
    return ids;
  }

  async removeObject(key: string) {
    if (this.failRemovals) throw new Error('blob service unavailable');
    this.removed.push(key);
    this.bucket.objects.delete(key);
  }

  async withRunLock<T>(work: () => Promise<T>) {
    if (this.locked) return { locked: false as const };
    this.locked = true;
    try {
      return { locked: true as const, value: await work() };
    } finally {
      this.locked = false;
    }
  }
}

function setup(pageSize = 3) {
  const bucket = new FakeBucket(pageSize);
  const documents = new FakeDocuments(bucket);
  const run = (dryRun = false) => reconcile({ bucket, documents, graceMs: GRACE_MS, dryRun, now: () => NOW });
  return { bucket, documents, run };
}

describe('reconcile', () => {
  it('removes old objects no row owns, and only those', async () => {
    const { bucket, documents, run } = setup();
    const owned = ['ready', 'pending', 'failed'].map((status) => {
      const key = newKey();
      bucket.put(key);
      documents.add(status, key);
      return key;
    });
    const orphans = [newKey(), newKey()];
    for (const key of orphans) bucket.put(key);

    const report = await run();
    expect(report).toMatchObject({ ran: true, objectsScanned: 5, orphansFound: 2, orphansRemoved: 2 });
    expect(documents.removed.sort()).toEqual(orphans.sort());
    expect([...bucket.objects.keys()].sort()).toEqual(owned.sort());
  });

  it('leaves objects younger than the grace period alone and counts them', async () => {
    const { bucket, documents, run } = setup();
    const young = newKey();
    bucket.put(young, YOUNG);
    const report = await run();
    expect(report).toMatchObject({ skippedTooYoung: 1, orphansFound: 0 });
    expect(documents.removed).toEqual([]);
    expect(bucket.objects.has(young)).toBe(true);
  });

  it('marks a ready row whose object is gone missing, with an event and an audit row, never deleting it', async () => {
    const { bucket, documents, run } = setup();
    const kept = documents.add('ready', newKey());
    bucket.put(kept.objectKey);
    const lost = documents.add('ready', newKey());

    const report = await run();
    expect(report).toMatchObject({ readyRowsScanned: 2, missingFound: 1, rowsMarkedMissing: 1 });
    expect(report.missingDocumentIds).toEqual([lost.id]);
    expect(documents.rows.get(lost.id)?.status).toBe('missing');
    expect(documents.rows.get(kept.id)?.status).toBe('ready');
    expect(documents.events).toEqual([{ documentId: lost.id, status: 'missing' }]);
    expect(documents.audit).toEqual([{ documentId: lost.id, action: 'document.missing' }]);
    expect(documents.rows.size).toBe(2);
  });

  it('a row whose object arrives while the run lists (the listing is not a snapshot) stays ready', async () => {
    const { bucket, documents, run } = setup();
    const row = documents.add('ready', newKey());
    // The object is not in the listing, but the bucket has it when asked again.
    const list = bucket.list.bind(bucket);
    bucket.list = async (token) => {
      const page = await list(token);
      bucket.put(row.objectKey);
      return page;
    };
    const report = await run();
    expect(report).toMatchObject({ missingFound: 0, rowsMarkedMissing: 0 });
    expect(documents.rows.get(row.id)?.status).toBe('ready');
  });

  it('a dry run reports the same findings and changes nothing', async () => {
    const { bucket, documents, run } = setup();
    const orphan = newKey();
    bucket.put(orphan);
    const lost = documents.add('ready', newKey());

    const dry = await run(true);
    expect(dry).toMatchObject({
      dryRun: true,
      orphansFound: 1,
      orphansRemoved: 0,
      missingFound: 1,
      rowsMarkedMissing: 0,
    });
    expect(dry.orphanKeys).toEqual([orphan]);
    expect(bucket.objects.has(orphan)).toBe(true);
    expect(documents.rows.get(lost.id)?.status).toBe('ready');
    expect(documents.events).toEqual([]);

    const real = await run();
    expect(real).toMatchObject({ orphansRemoved: 1, rowsMarkedMissing: 1 });
  });

  it('merges many pages of both sides: every object and row seen once', async () => {
    const { bucket, documents, run } = setup(7);
    const orphans = new Set<string>();
    const lost = new Set<string>();
    for (let index = 0; index < 1_200; index++) {
      const key = newKey();
      if (index % 10 === 0) {
        bucket.put(key);
        orphans.add(key);
      } else if (index % 10 === 1) {
        lost.add(documents.add('ready', key).id);
      } else {
        bucket.put(key);
        documents.add('ready', key);
      }
    }
    const report = await run();
    expect(report).toMatchObject({
      objectsScanned: 1_080,
      readyRowsScanned: 1_080,
      orphansFound: 120,
      orphansRemoved: 120,
      missingFound: 120,
      rowsMarkedMissing: 120,
    });
    expect(new Set(documents.removed)).toEqual(orphans);
    expect(new Set(documents.events.map((event) => event.documentId))).toEqual(lost);
    expect(report.orphanKeys).toHaveLength(100);
  });

  it('requeues the removal of every stranded deleting row, page after page; a dry run only counts', async () => {
    const { documents, run } = setup();
    for (let index = 0; index < 1_200; index++) documents.stranded.add(randomUUID());
    const all = new Set(documents.stranded);

    const dry = await run(true);
    expect(dry).toMatchObject({ strandedDeletionsFound: 1_200, removalsRequeued: 0 });
    expect(dry.strandedDocumentIds).toHaveLength(100);
    expect(documents.requeued).toEqual([]);

    const real = await run();
    expect(real).toMatchObject({ strandedDeletionsFound: 1_200, removalsRequeued: 1_200 });
    expect(new Set(documents.requeued)).toEqual(all);
    expect(documents.requeued).toHaveLength(1_200);
  });

  it('ignores keys not of docstore shape and reports them', async () => {
    const { bucket, documents, run } = setup();
    bucket.put('stray/file.txt');
    const report = await run();
    expect(report).toMatchObject({ foreignObjects: 1, orphansFound: 0, foreignKeys: ['stray/file.txt'] });
    expect(documents.removed).toEqual([]);
  });

  it('does not run while another run holds the lock', async () => {
    const { bucket, documents, run } = setup();
    bucket.put(newKey());
    documents.locked = true;
    const report = await run();
    expect(report).toMatchObject({ ran: false, objectsScanned: 0, orphansRemoved: 0 });
    expect(bucket.objects.size).toBe(1);
  });

  it('a failed removal is counted and the run goes on', async () => {
    const { bucket, documents, run } = setup();
    bucket.put(newKey());
    bucket.put(newKey());
    documents.failRemovals = true;
    const report = await run();
    expect(report).toMatchObject({ orphansFound: 2, orphansRemoved: 0, errors: 2 });
  });

  it('a bucket that cannot be listed fails the run and marks nothing missing', async () => {
    const { bucket, documents, run } = setup();
    const row = documents.add('ready', newKey());
    bucket.list = async () => {
      throw new Error('S3 unavailable');
    };
    await expect(run()).rejects.toThrow('S3 unavailable');
    expect(documents.rows.get(row.id)?.status).toBe('ready');
    expect(documents.locked).toBe(false);
  });
});
