import { randomUUID } from 'node:crypto';
import type { EntityManager } from '@mikro-orm/postgresql';
import { recordStatus } from '../domain/status/status-store.ts';
import { normalizeTopicName } from '../domain/topic-names.ts';
import { query } from './sql.ts';
import { applySuggestions } from './suggestions.ts';

/** Task name of the AI step: jobs/classify-document.ts. */
export const CLASSIFY_DOCUMENT_TASK = 'classify_document';

export interface ClassifyDocumentPayload {
  documentId: string;
  userId: string;
  /** The processing version whose text is classified; a reprocess makes the job stale. */
  version: number;
}

/** Provider outages are retried a few times; the document stays processed whatever happens. */
const CLASSIFY_ATTEMPTS = 5;

/** Enqueues the AI step in the caller's transaction when the user named a provider, model and key. */
export async function enqueueClassificationIfConfigured(
  em: EntityManager,
  payload: ClassifyDocumentPayload,
  runAt?: Date,
): Promise<boolean> {
  const [settings] = await query<{ ok: boolean }>(
    em,
    `select true as ok from user_settings where user_id = ? and ai_base_url is not null
        and ai_model is not null and api_key_ciphertext is not null`,
    [payload.userId],
  );
  if (!settings) return false;
  await query(
    em,
    `select 1 from graphile_worker.add_job(?, ?::json, max_attempts => ?::int,
       job_key => ?::text, run_at => coalesce(?::timestamptz, now()))`,
    [
      CLASSIFY_DOCUMENT_TASK,
      JSON.stringify(payload),
      CLASSIFY_ATTEMPTS,
      `${CLASSIFY_DOCUMENT_TASK}:${payload.documentId}`,
      runAt?.toISOString() ?? null,
    ],
  );
  return true;
}

/** What the AI step needs; null when the document moved on (not ready, reprocessed, no text). */
export interface ClassificationInput {
  content: string;
  name: string;
  size: number;
  topics: string[];
  baseUrl: string;
  model: string;
  apiKeyCiphertext: string;
  applyMode: 'review' | 'auto';
  newTopics: boolean;
}

export async function classificationInput(
  em: EntityManager,
  payload: ClassifyDocumentPayload,
): Promise<ClassificationInput | null> {
  const [row] = await query<{
    content: string;
    name: string;
    size: string | number;
    ai_base_url: string | null;
    ai_model: string | null;
    api_key_ciphertext: string | null;
    ai_apply_mode: 'review' | 'auto';
    ai_new_topics: boolean;
  }>(
    em,
    `select left(t.content, 12000) as content, d.name, d.size, s.ai_base_url, s.ai_model, s.api_key_ciphertext,
            s.ai_apply_mode, s.ai_new_topics
       from documents d join document_text t on t.document_id = d.id join user_settings s on s.user_id = d.user_id
      where d.id = ? and d.user_id = ? and d.status = 'ready' and d.processing_status = 'processed'
        and d.processing_version = ?`,
    [payload.documentId, payload.userId, payload.version],
  );
  if (!row?.ai_base_url || !row.ai_model || !row.api_key_ciphertext) return null;
  const topics = await query<{ name: string }>(
    em,
    'select name from topics where user_id = ? order by name',
    [payload.userId],
  );
  return {
    content: row.content,
    name: row.name,
    size: Number(row.size),
    topics: topics.map((topic) => topic.name),
    baseUrl: row.ai_base_url,
    model: row.ai_model,
    apiKeyCiphertext: row.api_key_ciphertext,
    applyMode: row.ai_apply_mode,
    newTopics: row.ai_new_topics,
  };
}

export interface CachedAnswer {
  suggestions: { topic: string; confidence: number; isNew: boolean }[];
  model: string;
  usage: { promptTokens: number; completionTokens: number };
}

export async function cachedAnswer(
  em: EntityManager,
  userId: string,
  key: { contentSha256: string; model: string; promptVersion: string },
): Promise<CachedAnswer | null> {
  const [row] = await query<{ answer: CachedAnswer }>(
    em,
    `select answer from ai_classification_cache
      where user_id = ? and content_sha256 = ? and model = ? and prompt_version = ?`,
    [userId, key.contentSha256, key.model, key.promptVersion],
  );
  return row?.answer ?? null;
}

export async function cacheAnswer(
  em: EntityManager,
  userId: string,
  key: { contentSha256: string; model: string; promptVersion: string },
  topicsSha256: string,
  answer: CachedAnswer,
): Promise<void> {
  await query(
    em,
    `insert into ai_classification_cache (user_id, content_sha256, model, prompt_version, topics_sha256, answer, usage)
     values (?, ?, ?, ?, ?, ?::jsonb, ?::jsonb)
     on conflict (user_id, content_sha256, model, prompt_version) do nothing`,
    [
      userId,
      key.contentSha256,
      key.model,
      key.promptVersion,
      topicsSha256,
      JSON.stringify(answer),
      JSON.stringify(answer.usage),
    ],
  );
}

/**
 * Replaces the document's pending suggestions with these, in the caller's transaction; in `auto`
 * mode applies them at once (topic counts through setDocumentTopics). Announces a `processed` event
 * with the topics applied and suggested. False when the document moved on meanwhile.
 */
export async function saveSuggestions(
  em: EntityManager,
  payload: ClassifyDocumentPayload,
  answer: CachedAnswer & { promptVersion: string },
  applyMode: 'review' | 'auto',
): Promise<{ applied: string[]; suggested: string[] } | null> {
  const [document] = await query<{ size: string | number }>(
    em,
    `select size from documents where id = ? and user_id = ? and status = 'ready'
        and processing_version = ? for update`,
    [payload.documentId, payload.userId, payload.version],
  );
  if (!document) return null;
  await query(em, `delete from topic_suggestions where document_id = ? and state = 'pending'`, [
    payload.documentId,
  ]);
  const known = new Map(
    (
      await query<{ id: string; normalized_name: string }>(
        em,
        'select id, normalized_name from topics where user_id = ?',
        [payload.userId],
      )
    ).map((row) => [row.normalized_name, row.id]),
  );
  const ids: string[] = [];
  const names: string[] = [];
  for (const suggestion of answer.suggestions) {
    const topicId = known.get(normalizeTopicName(suggestion.topic)) ?? null;
    // A cached answer may name a topic deleted since: only new-topic proposals survive without one.
    if (topicId === null && !suggestion.isNew) continue;
    const id = randomUUID();
    await query(
      em,
      `insert into topic_suggestions (id, document_id, user_id, topic_id, new_topic_name, confidence, model,
                                      prompt_version, prompt_tokens, completion_tokens)
       values (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`,
      [
        id,
        payload.documentId,
        payload.userId,
        topicId,
        topicId === null ? suggestion.topic : null,
        suggestion.confidence,
        answer.model,
        answer.promptVersion,
        answer.usage.promptTokens,
        answer.usage.completionTokens,
      ],
    );
    ids.push(id);
    names.push(suggestion.topic);
  }
  const applied = applyMode === 'auto' && ids.length > 0;
  if (applied) await applySuggestions(em, payload.userId, payload.documentId, ids, []);
  await recordStatus(em, payload.userId, {
    documentId: payload.documentId,
    status: 'processed',
    receivedBytes: Number(document.size),
    totalBytes: Number(document.size),
    details: applied ? { topics: names, suggestedTopics: [] } : { topics: [], suggestedTopics: names },
  });
  return applied ? { applied: names, suggested: [] } : { applied: [], suggested: names };
}
