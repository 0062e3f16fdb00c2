import type { DocumentPage, DocumentView } from '@docstore/contract';
import type { EntityManager } from '@mikro-orm/postgresql';
import { PROCESSING_COLUMNS, type ProcessingRow, processingOf } from '../store/search.ts';
import { read } from '../store/sql.ts';
import { decodeCursor, encodeCursor } from './cursor.ts';
import { normalizeTopicName } from './topic-names.ts';

interface PageRow extends ProcessingRow {
  id: string;
  name: string;
  mime_type: string;
  size: string | number;
  sha256: string | null;
  status: DocumentView['status'];
  created_at: Date;
  updated_at: Date;
  topics: string[];
}

/** A document's columns and its topic names, sorted, as one array column. */
const VIEW_COLUMNS = `d.id, d.name, d.mime_type, d.size, d.sha256, d.status, d.created_at, d.updated_at,
  array(select t.name from document_topics dt join topics t on t.id = dt.topic_id
        where dt.document_id = d.id order by t.name) as topics, ${PROCESSING_COLUMNS}`;

/** The document and its text's facts (never the text itself: `text_length` is a column). */
const VIEW_FROM = 'documents d left join document_text t on t.document_id = d.id';

function toView(row: PageRow): DocumentView {
  return {
    id: row.id,
    name: row.name,
    mimeType: row.mime_type,
    size: Number(row.size),
    sha256: row.sha256,
    status: row.status,
    topics: row.topics,
    createdAt: new Date(row.created_at).toISOString(),
    updatedAt: new Date(row.updated_at).toISOString(),
    processing: processingOf(row),
  };
}

/** One of the caller's documents with its topic names, in one statement; null when there is none. */
export async function documentById(
  em: EntityManager,
  userId: string,
  id: string,
): Promise<DocumentView | null> {
  const [row] = await read<PageRow>(
    em,
    `select ${VIEW_COLUMNS} from ${VIEW_FROM} where d.id = ? and d.user_id = ? and d.status <> 'deleting'`,
    [id, userId],
  );
  return row ? toView(row) : null;
}

/**
 * A page of the caller's documents, newest first, in ONE statement: topic names come aggregated per
 * row. Hand-written because the ORM's version cost more than the query: it hydrated every row into
 * managed entities, spelled the keyset as an OR the index could not serve as a range, and filtered by
 * topic through a join that sorted every match.
 */
export async function documentPage(
  em: EntityManager,
  userId: string,
  input: { topic?: string; cursor?: string; limit: number },
): Promise<DocumentPage> {
  // A document being deleted is gone for its owner the moment the delete commits.
  const conditions = ['d.user_id = ?', "d.status <> 'deleting'"];
  const params: unknown[] = [userId];
  if (input.topic !== undefined) {
    // Walks the listing index newest first, probing the (document_id, topic_id) key for each row.
    conditions.push(`exists (select 1 from document_topics f where f.document_id = d.id
      and f.topic_id = (select id from topics where user_id = ? and normalized_name = ?))`);
    params.push(userId, normalizeTopicName(input.topic));
  }
  if (input.cursor !== undefined) {
    const after = decodeCursor(input.cursor);
    // A row comparison: the (user_id, created_at, id) index serves it as one range.
    conditions.push('(d.created_at, d.id) < (?, ?)');
    params.push(after.createdAt, after.id);
  }
  params.push(input.limit + 1);
  const rows = await read<PageRow>(
    em,
    `select ${VIEW_COLUMNS}
     from ${VIEW_FROM}
     where ${conditions.join(' and ')}
     order by d.created_at desc, d.id desc
     limit ?`,
    params,
  );
  const page = rows.slice(0, input.limit);
  const last = page.at(-1);
  return {
    items: page.map(toView),
    nextCursor:
      rows.length > input.limit && last
        ? encodeCursor({ createdAt: new Date(last.created_at), id: last.id })
        : null,
  };
}
