import { DocstoreError } from '@docstore/contract';
import type { EntityManager } from '@mikro-orm/postgresql';
import { Document, type DocumentStatus, Topic } from '../db/entities.ts';
import { recordAudit } from '../domain/audit.ts';
import type { Caller } from '../domain/caller.ts';
import { recordStatus } from '../domain/status/status-store.ts';
import { enqueueObjectRemoval, REMOVE_OBJECT_TASK } from './jobs.ts';
import { enqueueProcessing } from './processing-jobs.ts';
import { query } from './sql.ts';

/*
 * The document life cycle, and its ONLY writers of `documents.status`:
 *
 *   markPending ─▶ pending ─markStored─▶ stored ─markReady─▶ ready ─markMissing─▶ missing
 *                     │                    │                   │
 *                     └────markFailed──────┴─▶ failed          │
 *   (any but deleting) ─markDeleting─▶ deleting ─removeDeleted─▶ (row gone)
 *   pending ─discardPending─▶ (row gone): refused input, nothing kept
 *
 * Each transition is one guarded UPDATE (or INSERT/DELETE) that must change exactly the row it
 * meant: a row that vanished or moved on meanwhile is an error, never a silent success. Each records
 * its status event (and audit row where one belongs) in the caller's transaction. Every transition
 * that leaves bytes behind enqueues their removal in that same transaction.
 */

export interface NewDocumentFields {
  id: string;
  name: string;
  mimeType: string;
  declaredMimeType: string;
  /** Declared bytes, or 0 until they are known. */
  size: number;
  /** Reserved by the blob service before any byte moves. */
  objectKey: string;
  topicIds: string[];
}

export interface Progress {
  receivedBytes: number;
  totalBytes: number | null;
}

/** The row a transition claimed, as the follow-up work (jobs, events) needs it. */
export interface ClaimedDocument {
  id: string;
  userId: string;
  name: string;
  size: number;
  objectKey: string | null;
  previous: DocumentStatus;
}

interface ClaimedRow {
  id: string;
  user_id: string;
  name: string;
  size: string | number;
  object_key: string | null;
  previous: DocumentStatus;
}

const toClaimed = (row: ClaimedRow): ClaimedDocument => ({
  id: row.id,
  userId: row.user_id,
  name: row.name,
  size: Number(row.size),
  objectKey: row.object_key,
  previous: row.previous,
});

function moved(id: string, expected: string): DocstoreError {
  return new DocstoreError(
    'CONFLICT',
    `document ${id} is no longer ${expected}: it was removed or changed meanwhile`,
  );
}

/**
 * Moves one row from one of `from` to `to`, returning it as it was; [] when no row matched. The old
 * status comes from a locked sub-select, so it is the one this UPDATE replaced.
 */
async function transition(
  em: EntityManager,
  where: { id: string; userId?: string; objectKey?: string },
  from: readonly DocumentStatus[],
  to: DocumentStatus,
  set: { sql: string; params: unknown[] } = { sql: '', params: [] },
): Promise<ClaimedDocument[]> {
  const conditions = ['id = ?', `status in (${from.map(() => '?').join(', ')})`];
  const params: unknown[] = [where.id, ...from];
  if (where.userId !== undefined) {
    conditions.push('user_id = ?');
    params.push(where.userId);
  }
  if (where.objectKey !== undefined) {
    conditions.push('object_key = ?');
    params.push(where.objectKey);
  }
  const rows = await query<ClaimedRow>(
    em,
    `update documents d set status = ?, updated_at = now()${set.sql}
       from (select id, status from documents where ${conditions.join(' and ')} for update) old
      where d.id = old.id
      returning d.id, d.user_id, d.name, d.size, d.object_key, old.status as previous`,
    [to, ...set.params, ...params],
  );
  return rows.map(toClaimed);
}

async function adjustCountsOf(em: EntityManager, documentId: string, delta: 1 | -1): Promise<void> {
  await query(
    em,
    `update topics set document_count = document_count + ?
      where id in (select topic_id from document_topics where document_id = ?)`,
    [delta, documentId],
  );
}

/** pending: the row, with its reserved key, exists before any byte moves. */
export async function markPending(
  em: EntityManager,
  userId: string,
  fields: NewDocumentFields,
): Promise<Document> {
  const document = em.create(Document, {
    id: fields.id,
    userId,
    name: fields.name,
    mimeType: fields.mimeType,
    declaredMimeType: fields.declaredMimeType,
    size: fields.size,
    objectKey: fields.objectKey,
    status: 'pending',
    topics: fields.topicIds.map((id) => em.getReference(Topic, id)),
  });
  await em.flush();
  await recordStatus(em, userId, {
    documentId: fields.id,
    status: 'pending',
    receivedBytes: 0,
    totalBytes: fields.size > 0 ? fields.size : null,
  });
  return document;
}

/** pending → stored: the bytes are in the bucket and checked; size and hash become known. */
export async function markStored(
  em: EntityManager,
  userId: string,
  id: string,
  stored: { size: number; sha256?: string },
): Promise<void> {
  const set =
    stored.sha256 === undefined
      ? { sql: ', size = ?', params: [stored.size] }
      : { sql: ', size = ?, sha256 = ?', params: [stored.size, stored.sha256] };
  const [row] = await transition(em, { id, userId }, ['pending'], 'stored', set);
  if (!row) throw moved(id, 'pending');
  await recordStatus(em, userId, {
    documentId: id,
    status: 'stored',
    receivedBytes: stored.size,
    totalBytes: stored.size,
  });
}

/**
 * stored → ready: counted in its topics, audited, announced, and its processing enqueued (same
 * transaction: a ready document always gets processed). A vanished row fails loudly.
 */
export async function markReady(em: EntityManager, caller: Caller, id: string): Promise<void> {
  const [row] = await transition(em, { id, userId: caller.userId }, ['stored'], 'ready', {
    sql: ', failure_reason = null',
    params: [],
  });
  if (!row) throw moved(id, 'stored');
  await adjustCountsOf(em, id, 1);
  recordAudit(em, caller, 'document.upload', { type: 'document', id }, { name: row.name, size: row.size });
  await em.flush();
  await recordStatus(em, caller.userId, {
    documentId: id,
    status: 'ready',
    receivedBytes: row.size,
    totalBytes: row.size,
  });
  await enqueueProcessing(em, id, 'ready');
}

/** pending | stored → failed: whatever bytes arrived are removed after commit; the row stays a while. */
export async function markFailed(
  em: EntityManager,
  userId: string,
  id: string,
  reason: string,
  progress: Progress,
): Promise<void> {
  const [row] = await transition(em, { id, userId }, ['pending', 'stored'], 'failed', {
    sql: ', failure_reason = ?',
    params: [reason],
  });
  if (!row) throw moved(id, 'pending');
  if (row.objectKey) await enqueueObjectRemoval(em, { key: row.objectKey });
  await recordStatus(em, userId, { documentId: id, status: 'failed', ...progress, error: reason });
}

/** pending → gone: input refused (too large, wrong size): nothing is kept, not even a failed row. */
export async function discardPending(
  em: EntityManager,
  userId: string,
  id: string,
  reason: string,
  progress: Progress,
): Promise<void> {
  const rows = await query<{ object_key: string | null }>(
    em,
    `delete from documents where id = ? and user_id = ? and status = 'pending' returning object_key`,
    [id, userId],
  );
  const [row] = rows;
  if (!row) throw moved(id, 'pending');
  if (row.object_key) await enqueueObjectRemoval(em, { key: row.object_key });
  await recordStatus(em, userId, { documentId: id, status: 'failed', ...progress, error: reason });
}

/**
 * Any state but deleting → deleting: gone for its owner at commit; its object and then its row are
 * removed after commit by the `remove_object` job, retried until it succeeds.
 */
export async function markDeleting(
  em: EntityManager,
  where: { id: string; userId?: string; from?: readonly DocumentStatus[] },
  reason?: string,
): Promise<ClaimedDocument | null> {
  const from = where.from ?? (['pending', 'stored', 'ready', 'failed', 'missing'] as const);
  const [row] = await transition(em, where, from, 'deleting');
  if (!row) return null;
  if (row.previous === 'ready') await adjustCountsOf(em, row.id, -1);
  await enqueueObjectRemoval(em, { key: row.objectKey, documentId: row.id });
  await recordStatus(em, row.userId, {
    documentId: row.id,
    status: 'deleted',
    receivedBytes: 0,
    totalBytes: row.size,
    error: reason ?? null,
  });
  return row;
}

/** deleting → gone, once its object is removed. Idempotent: a row already gone is fine. */
export async function removeDeleted(em: EntityManager, id: string): Promise<void> {
  await query(em, `delete from documents where id = ? and status = 'deleting'`, [id]);
}

/**
 * `deleting` rows changed before `olderThan` (a page of them, by id) whose removal job is gone from the queue (or has spent
 * its attempts): nothing known causes one, but such a row and its object would stay forever, so the
 * reconciler looks. With `requeue`, each gets its removal queued again (the same job key as
 * `markDeleting`'s, so a job that appears meanwhile is replaced, not doubled).
 */
export async function strandedDeletions(
  em: EntityManager,
  page: { olderThan: Date; afterId: string | null; limit: number },
  requeue: boolean,
): Promise<{ id: string; objectKey: string | null }[]> {
  const rows = await query<{ id: string; object_key: string | null }>(
    em,
    `select d.id, d.object_key from documents d
      where d.status = 'deleting' and d.updated_at < ? and d.id > ?
        and not exists (select 1 from graphile_worker.jobs j
                         where j.key = ? || d.id::text and j.attempts < j.max_attempts)
      order by d.id limit ?`,
    [
      page.olderThan,
      page.afterId ?? '00000000-0000-0000-0000-000000000000',
      `${REMOVE_OBJECT_TASK}:`,
      page.limit,
    ],
  );
  if (requeue)
    for (const row of rows) await enqueueObjectRemoval(em, { key: row.object_key, documentId: row.id });
  return rows.map((row) => ({ id: row.id, objectKey: row.object_key }));
}

/** What a `missing` row, its status event and its reader are told. */
export const MISSING_REASON = 'the object is gone from the bucket';

/**
 * ready → missing: its object vanished from the bucket (the reconciler found it). Never deleted
 * silently: uncounted, announced and audited. Checks the key too, so a stale finding is refused.
 */
export async function markMissing(
  em: EntityManager,
  id: string,
  objectKey: string,
): Promise<ClaimedDocument> {
  const [row] = await transition(em, { id, objectKey }, ['ready'], 'missing', {
    sql: ', failure_reason = ?',
    params: [MISSING_REASON],
  });
  if (!row) throw moved(id, 'ready');
  await adjustCountsOf(em, id, -1);
  recordAudit(
    em,
    { userId: row.userId, ip: null },
    'document.missing',
    { type: 'document', id },
    { key: objectKey },
  );
  await em.flush();
  await recordStatus(em, row.userId, {
    documentId: id,
    status: 'missing',
    receivedBytes: 0,
    totalBytes: row.size,
    error: MISSING_REASON,
  });
  return row;
}

/**
 * Keeps a streaming upload's row fresh so the sweeper leaves it alone. False when the row is no
 * longer pending (deleted or swept meanwhile): the upload should stop.
 */
export async function touchPending(em: EntityManager, id: string): Promise<boolean> {
  const rows = await query(
    em,
    `update documents set updated_at = now() where id = ? and status = 'pending' returning id`,
    [id],
  );
  return rows.length === 1;
}

/**
 * Claims up to `limit` rows in `from` untouched for `olderThanSeconds` and moves them to deleting,
 * skipping rows another instance holds (FOR UPDATE SKIP LOCKED), each with its removal enqueued.
 */
export async function claimStale(
  em: EntityManager,
  from: readonly DocumentStatus[],
  olderThanSeconds: number,
  limit: number,
  reason: string,
): Promise<ClaimedDocument[]> {
  const ids = await query<{ id: string }>(
    em,
    `select id from documents
      where status in (${from.map(() => '?').join(', ')}) and updated_at < now() - make_interval(secs => ?)
      order by updated_at limit ? for update skip locked`,
    [...from, olderThanSeconds, limit],
  );
  const claimed: ClaimedDocument[] = [];
  for (const { id } of ids) {
    const row = await markDeleting(em, { id, from }, reason);
    if (row) claimed.push(row);
  }
  return claimed;
}
