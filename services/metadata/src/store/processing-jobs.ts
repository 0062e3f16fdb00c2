import type { EntityManager } from '@mikro-orm/postgresql';
import { query } from './sql.ts';

/** Task name of a document's processing (text, duplicates, rule topics): jobs/process-document.ts. */
export const PROCESS_DOCUMENT_TASK = 'process_document';

export interface ProcessDocumentPayload {
  documentId: string;
  userId: string;
  /** The document's `processing_version` this job may finish; a newer enqueue makes it stale. */
  version: number;
  reason: 'ready' | 'reprocess';
}

/**
 * Processing extracts text from untrusted bytes: a hostile file fails its own document, not the job
 * (see the handler), so attempts here are for outages of S3 or PostgreSQL: with graphile-worker's
 * backoff, 12 attempts span about a day.
 */
const PROCESSING_ATTEMPTS = 12;

/**
 * Enqueues processing in the caller's transaction (the one that makes the document ready, or a
 * reprocess): the version bump makes any earlier job for the document stale, and the job key makes
 * a second enqueue replace a job not yet started.
 */
export async function enqueueProcessing(
  em: EntityManager,
  documentId: string,
  reason: ProcessDocumentPayload['reason'],
): Promise<void> {
  const [row] = await query<{ user_id: string; processing_version: number }>(
    em,
    `update documents set processing_version = processing_version + 1
      where id = ? returning user_id, processing_version`,
    [documentId],
  );
  if (!row) return;
  const payload: ProcessDocumentPayload = {
    documentId,
    userId: row.user_id,
    version: row.processing_version,
    reason,
  };
  await query(
    em,
    'select 1 from graphile_worker.add_job(?, ?::json, max_attempts => ?::int, job_key => ?::text)',
    [
      PROCESS_DOCUMENT_TASK,
      JSON.stringify(payload),
      PROCESSING_ATTEMPTS,
      `${PROCESS_DOCUMENT_TASK}:${documentId}`,
    ],
  );
}
