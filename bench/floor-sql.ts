/**
 * The floor of the metadata reads: the same answers as the service's, from hand-written SQL through
 * `pg`, one statement each (topic names aggregated in the statement), shaped like the contract's views.
 */
import type { DocumentPage, DocumentView, TopicView } from '@docstore/contract';
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
}

interface TopicRow {
  id: string;
  name: string;
  description: string | null;
  color: string | null;
  document_count: number;
  created_at: Date;
  updated_at: Date;
}

/** A document's columns and its topic names, sorted, as one array column. */
const DOCUMENT_COLUMNS = `d.id, d.name, d.mime_type, d.size, d.sha256, d.status, d.created_at, d.updated_at,
  array(select t.name from document_topics dt join topics t on t.id = dt.topic_id
        where dt.document_id = d.id order by t.name) as topics`;

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
    `select ${DOCUMENT_COLUMNS} from documents d
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
    `select ${DOCUMENT_COLUMNS} from documents d where d.id = $1 and d.user_id = $2`,
    [id, userId],
  );
  return rows[0] ? documentView(rows[0]) : null;
}

export async function floorListTopics(pool: pg.Pool, userId: string): Promise<TopicView[]> {
  const { rows } = await pool.query<TopicRow>(
    `select id, name, description, color, document_count, created_at, updated_at
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
