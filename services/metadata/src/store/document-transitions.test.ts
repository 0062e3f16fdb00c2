import { randomUUID } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { openTestDatabase, type TestDatabase } from '../db/test-database.ts';
import { createStore, type Store } from './store.ts';

/**
 * The life-cycle transitions against a real PostgreSQL: each changes exactly the row it meant or
 * fails, and each removal is enqueued in the transaction that decided it.
 */
describe('document transitions', () => {
  let database: TestDatabase;
  const store = (): Store => createStore(database.orm.em);
  const sql = <Row>(text: string, params: unknown[] = []) =>
    database.orm.em.fork().getConnection().execute<Row[]>(text, params);
  const caller = { userId: randomUUID(), ip: null };

  beforeAll(async () => {
    database = await openTestDatabase('transitions');
  }, 60_000);
  afterAll(() => database?.close(), 30_000);

  const statusOf = async (id: string) =>
    (await sql<{ status: string }>('select status from documents where id = ?', [id]))[0]?.status;
  /** Queued removals of an object, read from graphile-worker's table (its view hides payloads). */
  const removalJobs = async (key: string) =>
    Number(
      (
        await sql<{ count: string }>(
          `select count(*) from graphile_worker._private_jobs where payload->>'key' = ?`,
          [key],
        )
      )[0]?.count,
    );

  async function pending(topicIds: string[] = []): Promise<{ id: string; key: string }> {
    const id = randomUUID();
    const key = `${caller.userId}/${id}/${randomUUID()}.txt`;
    await store().documents.markPending(caller.userId, {
      id,
      name: `${id}.txt`,
      mimeType: 'text/plain',
      declaredMimeType: 'text/plain',
      size: 3,
      objectKey: key,
      topicIds,
    });
    return { id, key };
  }

  it('pending → stored → ready, counted in its topics, each step announced in order', async () => {
    const topicId = randomUUID();
    await sql(
      `insert into topics (id, user_id, name, normalized_name, created_at, updated_at) values (?, ?, 't', ?, now(), now())`,
      [topicId, caller.userId, `t-${topicId}`],
    );
    const { id } = await pending([topicId]);
    await store().documents.markStored(caller.userId, id, { size: 3, sha256: 'a'.repeat(64) });
    await store().documents.markReady(caller, id);
    expect(await statusOf(id)).toBe('ready');
    const [topic] = await sql<{ document_count: number }>('select document_count from topics where id = ?', [
      topicId,
    ]);
    expect(topic?.document_count).toBe(1);
    const events = await sql<{ status: string }>(
      'select status from status_events where document_id = ? order by id',
      [id],
    );
    expect(events.map((event) => event.status)).toEqual(['pending', 'stored', 'ready']);
  });

  it('a transition on a row that vanished or moved on fails, and changes nothing', async () => {
    const { id } = await pending();
    // markReady from pending (never stored), and on a row deleted behind its back: loud, not silent.
    await expect(store().documents.markReady(caller, id)).rejects.toMatchObject({ code: 'CONFLICT' });
    await sql('delete from documents where id = ?', [id]);
    await expect(store().documents.markStored(caller.userId, id, { size: 3 })).rejects.toMatchObject({
      code: 'CONFLICT',
    });
    await expect(store().documents.markReady(caller, id)).rejects.toMatchObject({ code: 'CONFLICT' });
    await expect(
      store().documents.markFailed(caller.userId, id, 'x', { receivedBytes: 0, totalBytes: 3 }),
    ).rejects.toMatchObject({ code: 'CONFLICT' });
    // Another user's row is not the caller's to move.
    const other = await pending();
    await expect(store().documents.markStored(randomUUID(), other.id, { size: 3 })).rejects.toMatchObject({
      code: 'CONFLICT',
    });
    expect(await statusOf(other.id)).toBe('pending');
    expect(
      await sql('select 1 from status_events where document_id = ? and status = ?', [id, 'ready']),
    ).toEqual([]);
  });

  it('deleting commits with its removal job, or neither happens', async () => {
    const { id, key } = await pending();
    const rolledBack = store().withTransaction(async (tx) => {
      expect(await tx.documents.markDeleting({ id, userId: caller.userId })).toMatchObject({
        id,
        objectKey: key,
      });
      throw new Error('the commit does not happen');
    });
    await expect(rolledBack).rejects.toThrow('the commit does not happen');
    expect(await statusOf(id)).toBe('pending');
    expect(await removalJobs(key)).toBe(0);

    await store().documents.markDeleting({ id, userId: caller.userId });
    expect(await statusOf(id)).toBe('deleting');
    expect(await removalJobs(key)).toBe(1);
    // Gone for its owner; deleting again finds nothing.
    expect(await store().documents.view(caller.userId, id)).toBeNull();
    expect(await store().documents.markDeleting({ id, userId: caller.userId })).toBeNull();
    await store().documents.removeDeleted(id);
    expect(await statusOf(id)).toBeUndefined();
  });

  it("a later removal of the same object never takes over the deleting row's job", async () => {
    // A proxied upload whose row was swept enqueues its object's removal again when its bytes land
    // late; the row's own removal (object, then row) must still be queued, or the row stays forever.
    const { id, key } = await pending();
    await store().documents.markDeleting({ id, userId: caller.userId });
    await store().jobs.enqueueObjectRemoval({ key });
    const payloads = await sql<{ payload: { key: string | null; documentId?: string } }>(
      `select payload from graphile_worker._private_jobs where payload->>'key' = ?`,
      [key],
    );
    expect(payloads).toHaveLength(2);
    expect(payloads.map((job) => job.payload)).toContainEqual({ key, documentId: id });
  });

  it('a deleting row whose removal job is gone is found, and requeued, once older than the cutoff', async () => {
    const { id, key } = await pending();
    const queuedOne = await pending();
    await store().documents.markDeleting({ id, userId: caller.userId });
    await store().documents.markDeleting({ id: queuedOne.id, userId: caller.userId });
    // The job vanished (the defect above did that); the other row's job is still queued.
    await sql(`delete from graphile_worker._private_jobs where payload->>'documentId' = ?`, [id]);
    const page = (olderThan: Date) => ({ olderThan, afterId: null, limit: 1_000 });
    const stranded = async (olderThan: Date, requeue: boolean) =>
      (await store().documents.strandedDeletions(page(olderThan), requeue)).map((row) => row.id);

    expect(await stranded(new Date(Date.now() - 60_000), true)).not.toContain(id);
    const future = new Date(Date.now() + 60_000);
    expect(await stranded(future, false)).toContain(id);
    expect(await stranded(future, false)).not.toContain(queuedOne.id);
    expect(await removalJobs(key)).toBe(0);
    expect(await stranded(future, true)).toContain(id);
    expect(await removalJobs(key)).toBe(1);
    expect(await stranded(future, false)).not.toContain(id);
  });

  it('a failed upload keeps its row and has its object removal enqueued', async () => {
    const { id, key } = await pending();
    await store().documents.markFailed(caller.userId, id, 'broken off', { receivedBytes: 1, totalBytes: 3 });
    expect(await statusOf(id)).toBe('failed');
    expect(await removalJobs(key)).toBe(1);
  });

  it('the sweep claims only stale rows, and never one another instance holds', async () => {
    const fresh = await pending();
    const stale = await pending();
    const held = await pending();
    await sql(`update documents set updated_at = now() - interval '1 hour' where id in (?, ?)`, [
      stale.id,
      held.id,
    ]);
    // Another instance holds `held` (its row lock) while this one sweeps.
    const em = database.orm.em.fork();
    await em.begin();
    try {
      await em
        .getConnection()
        .execute(
          'select 1 from documents where id = ? for update',
          [held.id],
          'all',
          em.getTransactionContext(),
        );
      const claimed = await store().withTransaction((tx) =>
        tx.documents.claimStale(['pending'], 60, 100, 'expired'),
      );
      const ids = claimed.map((row) => row.id);
      expect(ids).toContain(stale.id);
      expect(ids).not.toContain(fresh.id);
      expect(ids).not.toContain(held.id);
    } finally {
      await em.rollback();
    }
    expect(await statusOf(stale.id)).toBe('deleting');
    expect(await removalJobs(stale.key)).toBe(1);
    expect(await statusOf(fresh.id)).toBe('pending');
    // A touched row is fresh again: what keeps a streaming upload from being swept.
    expect(await store().documents.touchPending(held.id)).toBe(true);
    expect(await store().documents.touchPending(stale.id)).toBe(false);
  });

  it('ready → missing for the reconciler: uncounted, announced, audited; a stale finding is refused', async () => {
    const { id, key } = await pending();
    await store().documents.markStored(caller.userId, id, { size: 3 });
    await store().documents.markReady(caller, id);
    expect((await store().documents.ownersOf([key])).get(key)).toEqual({ id, status: 'ready' });
    await expect(store().documents.markMissing(id, `${key}.other`)).rejects.toMatchObject({
      code: 'CONFLICT',
    });
    await store().documents.markMissing(id, key);
    expect(await statusOf(id)).toBe('missing');
    expect(
      await sql('select 1 from audit_log where target_id = ? and action = ?', [id, 'document.missing']),
    ).toHaveLength(1);
    await expect(store().documents.markMissing(id, key)).rejects.toMatchObject({ code: 'CONFLICT' });
  });
});
