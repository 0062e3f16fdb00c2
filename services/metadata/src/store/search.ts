import {
  DocstoreError,
  type DocumentProcessing,
  type SearchPage,
  SNIPPET_START,
  SNIPPET_STOP,
} from '@docstore/contract';
import type { EntityManager } from '@mikro-orm/postgresql';
import { normalizeTopicName } from '../domain/topic-names.ts';
import { query } from './sql.ts';

/*
 * Search over the caller's ready documents: full text (the weighted `document_text.search`, GIN)
 * with `websearch_to_tsquery` (accepts any input), united with typo-tolerant name matches (pg_trgm
 * `%` on `documents.name`, GIN) so documents without text are found by name too. Ranked, then
 * keyset-paged on (rank, id); snippets only for the page's rows (ts_headline reads the text).
 */

/** Name-only matches rank below any text match of similar strength. */
const NAME_WEIGHT = 0.5;
/** ts_headline reads at most this much of a text (the indexed prefix is 256 Ki characters). */
const SNIPPET_SOURCE_CHARS = 262_144;

interface Position {
  rank: number;
  id: string;
}

function encodePosition(position: Position): string {
  return Buffer.from(JSON.stringify([position.rank, position.id])).toString('base64url');
}

function decodePosition(cursor: string): Position {
  try {
    const [rank, id] = JSON.parse(Buffer.from(cursor, 'base64url').toString('utf8')) as [unknown, unknown];
    if (
      typeof rank !== 'number' ||
      !Number.isFinite(rank) ||
      typeof id !== 'string' ||
      !/^[0-9a-f-]{36}$/.test(id)
    )
      throw new Error();
    return { rank, id };
  } catch {
    throw new DocstoreError('INVALID_INPUT', 'cursor is not one this service issued');
  }
}

interface HitRow {
  id: string;
  rank: number;
  name: string;
  mime_type: string;
  created_at: Date | string;
  topics: string[];
}

export async function searchDocuments(
  em: EntityManager,
  userId: string,
  input: { query: string; topic?: string; limit: number; cursor?: string },
): Promise<SearchPage> {
  const conditions = [`d.status = 'ready'`];
  const params: unknown[] = [input.query, userId, input.query, userId, input.query];
  if (input.topic !== undefined) {
    conditions.push(`exists (select 1 from document_topics f where f.document_id = d.id
      and f.topic_id = (select id from topics where user_id = ? and normalized_name = ?))`);
    params.push(userId, normalizeTopicName(input.topic));
  }
  if (input.cursor !== undefined) {
    const after = decodePosition(input.cursor);
    conditions.push('(r.rank, r.id) < (?::float8, ?::uuid)');
    params.push(after.rank, after.id);
  }
  params.push(input.limit + 1);
  const rows = await query<HitRow>(
    em,
    `with q as (select websearch_to_tsquery('simple', ?) as q),
     matches as (
       select t.document_id as id, ts_rank_cd(t.search, q.q)::float8 as rank
         from document_text t, q where t.user_id = ? and t.search @@ q.q
       union all
       select d.id, (similarity(d.name, ?) * ${NAME_WEIGHT})::float8
         from documents d where d.user_id = ? and d.name % ?),
     ranked as (select id, max(rank) as rank from matches group by id)
     select r.id, r.rank, d.name, d.mime_type, d.created_at,
            array(select t.name from document_topics dt join topics t on t.id = dt.topic_id
                   where dt.document_id = d.id order by t.name) as topics
       from ranked r join documents d on d.id = r.id
      where ${conditions.join(' and ')}
      order by r.rank desc, r.id desc
      limit ?`,
    params,
  );
  const page = rows.slice(0, input.limit);
  const snippets = new Map<string, string>();
  if (page.length > 0) {
    const found = await query<{ id: string; snippet: string }>(
      em,
      `select document_id as id,
              ts_headline('simple', left(content, ${SNIPPET_SOURCE_CHARS}), websearch_to_tsquery('simple', ?),
                'MaxFragments=1, MaxWords=30, MinWords=10, StartSel=${SNIPPET_START}, StopSel=${SNIPPET_STOP}') as snippet
         from document_text where document_id in (?) and user_id = ?
          and search @@ websearch_to_tsquery('simple', ?)`,
      [input.query, page.map((row) => row.id), userId, input.query],
    );
    for (const row of found) snippets.set(row.id, row.snippet);
  }
  const last = page.at(-1);
  return {
    items: page.map((row) => ({
      id: row.id,
      name: row.name,
      mimeType: row.mime_type,
      topics: row.topics,
      rank: Number(row.rank),
      snippet: snippets.get(row.id) ?? null,
      createdAt: new Date(row.created_at).toISOString(),
    })),
    nextCursor:
      rows.length > input.limit && last ? encodePosition({ rank: Number(last.rank), id: last.id }) : null,
  };
}

/** The caller's document's text and processing facts; null when there is no such document. */
export async function documentText(
  em: EntityManager,
  userId: string,
  id: string,
): Promise<{ text: string | null; processing: DocumentProcessing } | null> {
  const [row] = await query<ProcessingRow & { content: string | null }>(
    em,
    `select ${PROCESSING_COLUMNS}, t.content
       from documents d left join document_text t on t.document_id = d.id
      where d.id = ? and d.user_id = ? and d.status <> 'deleting'`,
    [id, userId],
  );
  return row ? { text: row.content, processing: processingOf(row) } : null;
}

/** Processing facts of `d` (documents) and `t` (its document_text, left-joined). */
export const PROCESSING_COLUMNS = `d.processing_status, d.processing_failure, t.text_length, t.pages, t.language,
  coalesce(t.truncated, false) as truncated,
  (select o.id from documents o where o.id = d.duplicate_of and o.status <> 'deleting') as duplicate_of`;

export interface ProcessingRow {
  processing_status: DocumentProcessing['status'];
  processing_failure: string | null;
  text_length: number | null;
  pages: number | null;
  language: string | null;
  truncated: boolean;
  duplicate_of: string | null;
}

export function processingOf(row: ProcessingRow): DocumentProcessing {
  return {
    status: row.processing_status,
    failure: row.processing_failure,
    textLength: row.text_length,
    pages: row.pages,
    language: row.language,
    truncated: row.truncated,
    duplicateOf: row.duplicate_of,
  };
}
