import type { EntityManager } from '@mikro-orm/postgresql';
import { query } from './sql.ts';

/** Task names of the job queue: the store enqueues them, handlers (src/jobs/) run them. */
export const REMOVE_OBJECT_TASK = 'remove_object';

/** What `remove_object` removes: the object (when there is one), then the `deleting` row (when named). */
export interface RemoveObjectPayload {
  key: string | null;
  documentId?: string;
}

/**
 * graphile-worker's attempts column is a smallint: this is "until it succeeds" (its backoff,
 * exp(min(attempt, 10)) seconds, settles at about 6 h between tries).
 */
const FOREVER_ATTEMPTS = 32_767;

/**
 * Enqueues a job in the caller's transaction with graphile-worker's own SQL function: the job exists
 * if and only if the transaction commits. `jobKey` makes a second enqueue of the same work replace
 * the first instead of doubling it.
 */
export async function enqueueJob(
  em: EntityManager,
  task: string,
  payload: object,
  jobKey: string | null = null,
): Promise<void> {
  await query(
    em,
    'select 1 from graphile_worker.add_job(?, ?::json, max_attempts => ?::int, job_key => ?::text)',
    [task, JSON.stringify(payload), FOREVER_ATTEMPTS, jobKey],
  );
}

/**
 * The job key of a removal: the row's id when it removes a `deleting` row, else the object key. Never
 * the object key for both: a later object-only enqueue (bytes of a swept upload landing late) would
 * replace the row's job, payload and all, and the `deleting` row would stay forever. Two jobs removing
 * the same object are harmless (each step is idempotent).
 */
export function removalJobKey(payload: RemoveObjectPayload): string {
  return `${REMOVE_OBJECT_TASK}:${payload.documentId ?? payload.key}`;
}

/** The object of a document (and, with `documentId`, its `deleting` row) goes after the commit. */
export function enqueueObjectRemoval(em: EntityManager, payload: RemoveObjectPayload): Promise<void> {
  return enqueueJob(em, REMOVE_OBJECT_TASK, payload, removalJobKey(payload));
}
