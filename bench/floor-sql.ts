/**
 * The floor of the metadata reads: the same answers as the service's, from hand-written SQL through
 * `pg`, one statement each (topic names aggregated in the statement), shaped like the contract's views.
 */
import {
  type DocumentPage,
  type DocumentView,
  type SearchPage,
  SNIPPET_START,
  SNIPPET_STOP,
  type TopicView,
} from '@docstore/contract';
import type pg from 'pg';

interface DocumentRow {
  id: string;
  name: string;
  mime_type: string;
  size: string;
  sha256: string | null;
  status: DocumentView['status'];
  created_at: Date;
  updated_at: Date;
  topics: string[];
  processing_status: NonNullable<DocumentView['processing']>['status'];
  processing_failure: string | null;
  text_length: number | null;
  pages: number | null;
  language: string | null;
  truncated: boolean;
  duplicate_of: string | null;
}

interface TopicRow {
  id: string;
  name: string;
  description: string | null;
  color: string | null;
  document_count: number;
  created_at: Date;
  updated_at: Date;
  match_algorithm: NonNullable<TopicView['match']>['algorithm'];
  match_pattern: string;
  match_case_sensitive: boolean;
}

/**
 * A document's columns, its topic names, sorted, as one array column, and its processing facts
 * (from its document_text row, left-joined as `x`: DOCUMENT_FROM), as the service's view has them.
 */
const DOCUMENT_COLUMNS = `d.id, d.name, d.mime_type, d.size, d.sha256, d.status, d.created_at, d.updated_at,
  array(select t.name from document_topics dt join topics t on t.id = dt.topic_id
        where dt.document_id = d.id order by t.name) as topics,
  d.processing_status, d.processing_failure, x.text_length, x.pages, x.language,
  coalesce(x.truncated, false) as truncated,
  (select o.id from documents o where o.id = d.duplicate_of and o.status <> 'deleting') as duplicate_of`;
const DOCUMENT_FROM = 'documents d left join document_text x on x.document_id = d.id';

function documentView(row: DocumentRow): DocumentView {
  return {
    id: row.id,
    name: row.name,
    mimeType: row.mime_type,
    size: Number(row.size),
    sha256: row.sha256,
    status: row.status,
    topics: row.topics,
    createdAt: row.created_at.toISOString(),
    updatedAt: row.updated_at.toISOString(),
    processing: {
      status: row.processing_status,
      failure: row.processing_failure,
      textLength: row.text_length,
      pages: row.pages,
      language: row.language,
      truncated: row.truncated,
      duplicateOf: row.duplicate_of,
    },
  };
}

function topicView(row: TopicRow): TopicView {
  return {
    id: row.id,
    name: row.name,
    description: row.description,
    color: row.color,
    documentCount: row.document_count,
    createdAt: row.created_at.toISOString(),
    updatedAt: row.updated_at.toISOString(),
    match: {
      algorithm: row.match_algorithm,
      pattern: row.match_pattern,
      caseSensitive: row.match_case_sensitive,
    },
  };
}

/** A position in the newest-first listing: the last row seen. */
export interface FloorPosition {
  createdAt: string;
  id: string;
}

/** Same encoding as the service's cursor (the floor does the same work, not a cheaper one). */
function encodeCursor(view: DocumentView): string {
  return Buffer.from(JSON.stringify([view.createdAt, view.id])).toString('base64url');
}

/**
 * A page, newest first, optionally only documents carrying the topic `normalizedTopic`, after
 * `after`. Keyset on (created_at, id) as a row comparison, which the (user_id, created_at, id)
 * index serves as a range.
 */
export async function floorListDocuments(
  pool: pg.Pool,
  userId: string,
  options: { limit: number; normalizedTopic?: string; after?: FloorPosition },
): Promise<DocumentPage> {
  const params: unknown[] = [userId];
  const conditions = ['d.user_id = $1'];
  if (options.normalizedTopic !== undefined) {
    params.push(options.normalizedTopic);
    // Walks the listing index newest first, probing the (document_id, topic_id) key for each row.
    conditions.push(`exists (select 1 from document_topics f where f.document_id = d.id
      and f.topic_id = (select id from topics where user_id = $1 and normalized_name = $${params.length}))`);
  }
  if (options.after) {
    params.push(options.after.createdAt, options.after.id);
    conditions.push(`(d.created_at, d.id) < ($${params.length - 1}, $${params.length})`);
  }
  params.push(options.limit + 1);
  const { rows } = await pool.query<DocumentRow>(
    `select ${DOCUMENT_COLUMNS} from ${DOCUMENT_FROM}
     where ${conditions.join(' and ')}
     order by d.created_at desc, d.id desc limit $${params.length}`,
    params,
  );
  const items = rows.slice(0, options.limit).map(documentView);
  const last = items.at(-1);
  return { items, nextCursor: rows.length > options.limit && last ? encodeCursor(last) : null };
}

/** One document with its topic names, or null. */
export async function floorGetDocument(
  pool: pg.Pool,
  userId: string,
  id: string,
): Promise<DocumentView | null> {
  const { rows } = await pool.query<DocumentRow>(
    `select ${DOCUMENT_COLUMNS} from ${DOCUMENT_FROM} where d.id = $1 and d.user_id = $2`,
    [id, userId],
  );
  return rows[0] ? documentView(rows[0]) : null;
}

export async function floorListTopics(pool: pg.Pool, userId: string): Promise<TopicView[]> {
  const { rows } = await pool.query<TopicRow>(
    `select id, name, description, color, document_count, created_at, updated_at,
            match_algorithm, match_pattern, match_case_sensitive
     from topics where user_id = $1 order by normalized_name`,
    [userId],
  );
  return rows.map(topicView);
}

export async function floorTopicCounts(pool: pg.Pool, userId: string): Promise<Record<string, number>> {
  const { rows } = await pool.query<{ name: string; document_count: number }>(
    'select name, document_count from topics where user_id = $1',
    [userId],
  );
  return Object.fromEntries(rows.map((row) => [row.name, row.document_count]));
}

/**
 * documents.search's first page, the same two statements as services/metadata/src/store/search.ts
 * (ranked text matches united with pg_trgm name matches, then ts_headline for the page's rows only),
 * written out with `$n` parameters; its cursor encoded the same way.
 */
export async function floorSearchDocuments(
  pool: pg.Pool,
  userId: string,
  options: { query: string; limit: number },
): Promise<SearchPage> {
  const { rows } = await pool.query<{
    id: string;
    rank: number;
    name: string;
    mime_type: string;
    created_at: Date;
    topics: string[];
  }>(
    `with q as (select websearch_to_tsquery('simple', $1) as q),
     matches as (
       select t.document_id as id, ts_rank_cd(t.search, q.q)::float8 as rank
         from document_text t, q where t.user_id = $2 and t.search @@ q.q
       union all
       select d.id, (similarity(d.name, $1) * 0.5)::float8
         from documents d where d.user_id = $2 and d.name % $1),
     ranked as (select id, max(rank) as rank from matches group by id)
     select r.id, r.rank, d.name, d.mime_type, d.created_at,
            array(select t.name from document_topics dt join topics t on t.id = dt.topic_id
                   where dt.document_id = d.id order by t.name) as topics
       from ranked r join documents d on d.id = r.id
      where d.status = 'ready'
      order by r.rank desc, r.id desc
      limit $3`,
    [options.query, userId, options.limit + 1],
  );
  const page = rows.slice(0, options.limit);
  const snippets = new Map<string, string>();
  if (page.length > 0) {
    const found = await pool.query<{ id: string; snippet: string }>(
      `select document_id as id,
              ts_headline('simple', left(content, 262144), websearch_to_tsquery('simple', $1),
                'MaxFragments=1, MaxWords=30, MinWords=10, StartSel=${SNIPPET_START}, StopSel=${SNIPPET_STOP}') as snippet
         from document_text where document_id = any($2::uuid[]) and user_id = $3
          and search @@ websearch_to_tsquery('simple', $1)`,
      [options.query, page.map((row) => row.id), userId],
    );
    for (const row of found.rows) snippets.set(row.id, row.snippet);
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
      createdAt: row.created_at.toISOString(),
    })),
    nextCursor:
      rows.length > options.limit && last
        ? Buffer.from(JSON.stringify([Number(last.rank), last.id])).toString('base64url')
        : null,
  };
}
