import type { MatchingRule } from '@docstore/contract';
import type { EntityManager } from '@mikro-orm/postgresql';
import { recordStatus } from '../domain/status/status-store.ts';
import { enqueueClassificationIfConfigured } from './ai.ts';
import { setDocumentTopics } from './document-topics.ts';
import { enqueueProcessing } from './processing-jobs.ts';
import { query } from './sql.ts';

/*
 * The writers of a document's processing state (`processing_status`, its failure, its text). Apart
 * from the life cycle's `status`: processing never moves a document out of `ready`. Every write is
 * guarded by the job's `processing_version`, so a job that was replaced (reprocess) or that runs a
 * second time after a crash finishes nothing twice.
 */

/** What the job needs of a document it may process. */
export interface ProcessingTarget {
  id: string;
  userId: string;
  name: string;
  mimeType: string;
  size: number;
  objectKey: string;
  sha256: string | null;
}

/** A topic with a rule, for matching. */
export interface RuleTopic {
  id: string;
  name: string;
  rule: MatchingRule;
}

export interface ProcessedFields {
  text: string;
  pages: number | null;
  language: string | null;
  truncated: boolean;
  ocrPages: number;
  sha256: string;
  /** Topic ids the rules matched (added to the document's own). */
  matchedTopicIds: string[];
}

const MAX_EVENT_TOPICS = 50;

/**
 * ready + this version + not yet processed → `processing` (with its event). Null when the job is
 * stale, the document gone or not ready, or already processed: the job then has nothing to do.
 */
export async function beginProcessing(
  em: EntityManager,
  id: string,
  version: number,
): Promise<ProcessingTarget | null> {
  const [row] = await query<{
    id: string;
    user_id: string;
    name: string;
    mime_type: string;
    size: string | number;
    object_key: string | null;
    sha256: string | null;
  }>(
    em,
    `update documents set processing_status = 'processing', processing_failure = null
      where id = ? and processing_version = ? and status = 'ready' and processing_status <> 'processed'
      returning id, user_id, name, mime_type, size, object_key, sha256`,
    [id, version],
  );
  if (!row || row.object_key === null) return null;
  await recordStatus(em, row.user_id, {
    documentId: id,
    status: 'processing',
    receivedBytes: Number(row.size),
    totalBytes: Number(row.size),
  });
  return {
    id: row.id,
    userId: row.user_id,
    name: row.name,
    mimeType: row.mime_type,
    size: Number(row.size),
    objectKey: row.object_key,
    sha256: row.sha256,
  };
}

export async function ruleTopics(em: EntityManager, userId: string): Promise<RuleTopic[]> {
  const rows = await query<{ id: string; name: string; algorithm: string; pattern: string; cs: boolean }>(
    em,
    `select id, name, match_algorithm as algorithm, match_pattern as pattern, match_case_sensitive as cs
       from topics where user_id = ? and match_algorithm <> 'none'`,
    [userId],
  );
  return rows.map((row) => ({
    id: row.id,
    name: row.name,
    rule: {
      algorithm: row.algorithm as MatchingRule['algorithm'],
      pattern: row.pattern,
      caseSensitive: row.cs,
    },
  }));
}

/**
 * processing → processed, in the caller's transaction: the text, the hash (direct uploads learn it
 * here), the oldest ready duplicate, the rule topics (counted by the topic-count code) and the
 * `processed` event. False, changing nothing, when the job is stale or the document moved on.
 */
export async function completeProcessing(
  em: EntityManager,
  target: ProcessingTarget,
  version: number,
  fields: ProcessedFields,
): Promise<{ topics: string[] } | null> {
  const [row] = await query<{ id: string }>(
    em,
    `update documents d set processing_status = 'processed', processing_failure = null,
            sha256 = coalesce(d.sha256, ?),
            duplicate_of = (select o.id from documents o
                             where o.user_id = d.user_id and o.sha256 = coalesce(d.sha256, ?)
                               and o.status = 'ready' and o.id <> d.id
                               and (o.created_at, o.id) < (d.created_at, d.id)
                             order by o.created_at, o.id limit 1)
      where d.id = ? and d.processing_version = ? and d.status = 'ready' and d.processing_status = 'processing'
      returning d.id`,
    [fields.sha256, fields.sha256, target.id, version],
  );
  if (!row) return null;
  await query(
    em,
    `insert into document_text (document_id, user_id, content, text_length, pages, language, truncated,
                                ocr_pages, document_name, extracted_at)
     values (?, ?, ?, ?, ?, ?, ?, ?, ?, now())
     on conflict (document_id) do update set content = excluded.content, text_length = excluded.text_length,
       pages = excluded.pages, language = excluded.language, truncated = excluded.truncated,
       ocr_pages = excluded.ocr_pages, document_name = excluded.document_name, extracted_at = now()`,
    [
      target.id,
      target.userId,
      // PostgreSQL text cannot hold NUL; the extractors should not produce it, but a hostile file might.
      fields.text.replaceAll('\u0000', ''),
      fields.text.length,
      fields.pages,
      fields.language,
      fields.truncated,
      fields.ocrPages,
      target.name,
    ],
  );
  const current = (
    await query<{ topic_id: string }>(em, 'select topic_id from document_topics where document_id = ?', [
      target.id,
    ])
  ).map((r) => r.topic_id);
  const added = fields.matchedTopicIds.filter((id) => !current.includes(id));
  if (added.length > 0) await setDocumentTopics(em, target.userId, target.id, [...current, ...added]);
  const names =
    added.length === 0
      ? []
      : (
          await query<{ name: string }>(em, 'select name from topics where id in (?) order by name', [added])
        ).map((r) => r.name);
  await recordStatus(em, target.userId, {
    documentId: target.id,
    status: 'processed',
    receivedBytes: target.size,
    totalBytes: target.size,
    details: { topics: names.slice(0, MAX_EVENT_TOPICS), suggestedTopics: [] },
  });
  // The AI step runs after this commits, as a job of its own: its failures never touch this one.
  await enqueueClassificationIfConfigured(em, { documentId: target.id, userId: target.userId, version });
  return { topics: names };
}

/** processing → processing_failed with its reason (and the hash, known even when reading failed). */
export async function failProcessing(
  em: EntityManager,
  target: ProcessingTarget,
  version: number,
  reason: string,
  sha256: string | null,
): Promise<boolean> {
  const rows = await query(
    em,
    `update documents set processing_status = 'processing_failed', processing_failure = ?,
            sha256 = coalesce(sha256, ?)
      where id = ? and processing_version = ? and status = 'ready' and processing_status = 'processing'
      returning id`,
    [reason, sha256, target.id, version],
  );
  if (rows.length === 0) return false;
  await recordStatus(em, target.userId, {
    documentId: target.id,
    status: 'processing_failed',
    receivedBytes: target.size,
    totalBytes: target.size,
    error: reason,
    details: { reason },
  });
  return true;
}

/** A reprocess: the caller's ready document goes back to `none` with a new job. False when not ready. */
export async function requestReprocessing(em: EntityManager, userId: string, id: string): Promise<boolean> {
  const rows = await query(
    em,
    `update documents set processing_status = 'none', processing_failure = null
      where id = ? and user_id = ? and status = 'ready' returning id`,
    [id, userId],
  );
  if (rows.length === 0) return false;
  await enqueueProcessing(em, id, 'reprocess');
  return true;
}
