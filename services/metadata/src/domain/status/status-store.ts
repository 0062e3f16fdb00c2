import type { StatusEvent, UploadStatus } from '@docstore/contract';
import type { EntityManager } from '@mikro-orm/postgresql';
import type { StoredStatusEvent } from './status-bus.ts';

/** The PostgreSQL channel every instance listens on. */
export const STATUS_CHANNEL = 'docstore_status';

/** NOTIFY payloads are limited to 8000 bytes: keep error texts well under. */
const MAX_ERROR_LENGTH = 500;

export interface NewStatusEvent {
  documentId: string;
  status: UploadStatus;
  receivedBytes: number;
  totalBytes: number | null;
  error?: string | null;
  /** When it happened; default now. An event recorded in the background keeps its own time. */
  at?: Date;
  /** What processing found: topics assigned and suggested, a failure reason. */
  details?: StatusDetails | null;
}

/** The optional fields of a processing status event (stored as `status_events.details`). */
export interface StatusDetails {
  topics?: string[];
  suggestedTopics?: string[];
  reason?: string;
}

interface StatusRow {
  id: string;
  user_id: string;
  document_id: string;
  status: UploadStatus;
  received_bytes: string | number;
  total_bytes: string | number | null;
  error: string | null;
  at: Date | string;
  details?: StatusDetails | null;
}

const COLUMNS =
  'id::text as id, user_id, document_id, status, received_bytes, total_bytes, error, at, details';

/** Only the known fields, only when present: older events have none. */
function detailsOf(details: StatusDetails | null | undefined): StatusDetails {
  if (!details) return {};
  return {
    ...(Array.isArray(details.topics) ? { topics: details.topics } : {}),
    ...(Array.isArray(details.suggestedTopics) ? { suggestedTopics: details.suggestedTopics } : {}),
    ...(typeof details.reason === 'string' ? { reason: details.reason } : {}),
  };
}

export function toStoredEvent(row: StatusRow): StoredStatusEvent {
  const event: StatusEvent = {
    documentId: row.document_id,
    status: row.status,
    receivedBytes: Number(row.received_bytes),
    totalBytes: row.total_bytes === null ? null : Number(row.total_bytes),
    error: row.error,
    at: new Date(row.at).toISOString(),
    ...detailsOf(row.details),
  };
  return { id: row.id, userId: row.user_id, event };
}

/**
 * Stores an event and notifies every instance, in one statement. Inside a transaction the NOTIFY is
 * delivered on commit, so a `ready` event is never seen before the document is ready.
 */
export async function recordStatus(em: EntityManager, userId: string, event: NewStatusEvent): Promise<void> {
  await em.getConnection().execute(
    `with inserted as (
       insert into status_events (user_id, document_id, status, received_bytes, total_bytes, error, at, details)
       values (?, ?, ?, ?, ?, ?, ?, ?::jsonb) returning ${COLUMNS})
     select pg_notify('${STATUS_CHANNEL}', row_to_json(inserted)::text) from inserted`,
    [
      userId,
      event.documentId,
      event.status,
      event.receivedBytes,
      event.totalBytes,
      event.error?.slice(0, MAX_ERROR_LENGTH) ?? null,
      event.at ?? new Date(),
      event.details ? JSON.stringify(event.details) : null,
    ],
    'all',
    em.getTransactionContext(),
  );
}

/** Parses a NOTIFY payload (a `status_events` row as JSON). */
export function parseNotification(payload: string): StoredStatusEvent {
  return toStoredEvent(JSON.parse(payload) as StatusRow);
}

/** Events after `afterId`, oldest first: what a reconnecting client missed. */
export async function statusEventsAfter(
  em: EntityManager,
  filter: { userId?: string; documentId?: string },
  afterId: string,
  limit: number,
): Promise<StoredStatusEvent[]> {
  const conditions = ['id > ?'];
  const params: unknown[] = [afterId];
  if (filter.userId !== undefined) {
    conditions.push('user_id = ?');
    params.push(filter.userId);
  }
  if (filter.documentId !== undefined) {
    conditions.push('document_id = ?');
    params.push(filter.documentId);
  }
  const rows = await em
    .getConnection()
    .execute<StatusRow[]>(
      `select ${COLUMNS} from status_events where ${conditions.join(' and ')} order by id limit ?`,
      [...params, limit],
    );
  return rows.map(toStoredEvent);
}

/** The newest event id, or '0': where a listener starts when it has seen nothing. */
export async function latestStatusEventId(em: EntityManager): Promise<string> {
  const [row] = await em
    .getConnection()
    .execute<{ id: string | null }[]>('select max(id)::text as id from status_events');
  return row?.id ?? '0';
}

/** Drops events older than the retention window; returns how many went. */
export async function pruneStatusEvents(em: EntityManager, retentionHours: number): Promise<number> {
  const result = await em
    .getConnection()
    .execute<{ affectedRows?: number }>(
      `delete from status_events where at < now() - make_interval(hours => ?)`,
      [retentionHours],
      'run',
    );
  return result.affectedRows ?? 0;
}
