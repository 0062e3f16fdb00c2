import { randomUUID } from 'node:crypto';
import { DocstoreError, type TopicSuggestionView } from '@docstore/contract';
import type { EntityManager } from '@mikro-orm/postgresql';
import { normalizeTopicName } from '../domain/topic-names.ts';
import { setDocumentTopics } from './document-topics.ts';
import { query } from './sql.ts';

interface SuggestionRow {
  id: string;
  topic_id: string | null;
  topic: string;
  is_new: boolean;
  confidence: number;
  state: TopicSuggestionView['state'];
  model: string;
}

/** A document's AI suggestions, most confident first. */
export async function listSuggestions(
  em: EntityManager,
  userId: string,
  documentId: string,
): Promise<(TopicSuggestionView & { topicId: string | null })[]> {
  const rows = await query<SuggestionRow>(
    em,
    `select s.id, s.topic_id, coalesce(t.name, s.new_topic_name) as topic, s.topic_id is null as is_new,
            s.confidence, s.state, s.model
       from topic_suggestions s left join topics t on t.id = s.topic_id
      where s.document_id = ? and s.user_id = ?
      order by s.confidence desc, s.id`,
    [documentId, userId],
  );
  return rows.map((row) => ({
    id: row.id,
    topicId: row.topic_id,
    topic: row.topic,
    isNew: row.is_new,
    confidence: Number(row.confidence),
    state: row.state,
    model: row.model,
  }));
}

/**
 * Applies accepted suggestions (a proposed new topic is created first, or the caller's topic of that
 * name is used) and dismisses rejected ones, in the caller's transaction; topic counts move through
 * setDocumentTopics. An id that is not a pending suggestion of this document is INVALID_INPUT.
 */
export async function applySuggestions(
  em: EntityManager,
  userId: string,
  documentId: string,
  accept: string[],
  reject: string[],
): Promise<{ applied: string[]; dismissed: number } | null> {
  const [document] = await query<{ id: string }>(
    em,
    `select id from documents where id = ? and user_id = ? and status <> 'deleting' for update`,
    [documentId, userId],
  );
  if (!document) return null;
  const wanted = [...new Set([...accept, ...reject])];
  const rows =
    wanted.length === 0
      ? []
      : await query<{ id: string; topic_id: string | null; new_topic_name: string | null }>(
          em,
          `select id, topic_id, new_topic_name from topic_suggestions
            where id in (?) and document_id = ? and user_id = ? and state = 'pending' for update`,
          [wanted, documentId, userId],
        );
  const unknown = wanted.filter((id) => !rows.some((row) => row.id === id));
  if (unknown.length > 0) {
    throw new DocstoreError(
      'INVALID_INPUT',
      `not a pending suggestion of this document: ${unknown.join(', ')}`,
    );
  }
  const topicIds: string[] = [];
  const names: string[] = [];
  for (const row of rows.filter((r) => accept.includes(r.id))) {
    if (row.topic_id !== null) {
      topicIds.push(row.topic_id);
      continue;
    }
    const name = row.new_topic_name ?? '';
    const [created] = await query<{ id: string }>(
      em,
      `insert into topics (id, user_id, name, normalized_name, document_count, created_at, updated_at)
       values (?, ?, ?, ?, 0, now(), now())
       on conflict (user_id, normalized_name) do update set updated_at = topics.updated_at
       returning id`,
      [randomUUID(), userId, name, normalizeTopicName(name)],
    );
    if (created) topicIds.push(created.id);
    names.push(name);
  }
  if (topicIds.length > 0) {
    const current = (
      await query<{ topic_id: string }>(em, 'select topic_id from document_topics where document_id = ?', [
        documentId,
      ])
    ).map((r) => r.topic_id);
    await setDocumentTopics(em, userId, documentId, [...new Set([...current, ...topicIds])]);
  }
  const acceptedIds = rows.filter((r) => accept.includes(r.id)).map((r) => r.id);
  const rejectedIds = rows.filter((r) => !accept.includes(r.id)).map((r) => r.id);
  if (acceptedIds.length > 0)
    await query(em, `update topic_suggestions set state = 'applied' where id in (?)`, [acceptedIds]);
  if (rejectedIds.length > 0)
    await query(em, `update topic_suggestions set state = 'dismissed' where id in (?)`, [rejectedIds]);
  return { applied: acceptedIds, dismissed: rejectedIds.length };
}
