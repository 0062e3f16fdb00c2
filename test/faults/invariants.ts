import { createHash } from 'node:crypto';
import type { Client } from 'minio';
import type pg from 'pg';
import { listKeys } from '../support/s3-inspect.ts';
import type { Ledger } from './workload.ts';

/** One broken invariant and its evidence (at most a few examples). */
export interface Violation {
  invariant: string;
  count: number;
  examples: string[];
  /** Every item, for the harness to tell new evidence from old. */
  all: string[];
}

function violation(invariant: string, items: string[]): Violation[] {
  return items.length === 0
    ? []
    : [{ invariant, count: items.length, examples: items.slice(0, 5), all: items }];
}

async function objectSha256(s3: Client, bucket: string, key: string): Promise<string | undefined> {
  try {
    const hash = createHash('sha256');
    for await (const chunk of await s3.getObject(bucket, key)) hash.update(chunk as Buffer);
    return hash.digest('hex');
  } catch {
    return undefined;
  }
}

/**
 * The promises of issue 9, checked against PostgreSQL and the bucket directly (not through the
 * services under test): nothing leaked, nothing lost, every acknowledged upload intact, every
 * acknowledged delete done.
 */
/**
 * The object keys and `deleting` rows that a remove_object job still to run will remove (a job whose
 * attempts are spent never runs again). Read from graphile-worker's table: its public view hides payloads.
 */
async function queuedRemovals(db: pg.Client): Promise<{ keys: Set<string>; rows: Set<string> }> {
  const { rows } = await db.query<{ key: string | null; document_id: string | null }>(
    `select j.payload->>'key' as key, j.payload->>'documentId' as document_id
       from graphile_worker._private_jobs j join graphile_worker._private_tasks t on t.id = j.task_id
      where t.identifier = 'remove_object' and j.attempts < j.max_attempts`,
  );
  return {
    keys: new Set(rows.flatMap((job) => (job.key === null ? [] : [job.key]))),
    rows: new Set(rows.flatMap((job) => (job.document_id === null ? [] : [job.document_id]))),
  };
}

export async function checkInvariants(options: {
  db: pg.Client;
  s3: Client;
  bucket: string;
  ledger: Ledger;
}): Promise<Violation[]> {
  const { db, s3, bucket, ledger } = options;
  // Removal jobs still run while this looks (a frozen service catches up): each removes its object,
  // then its row, then itself, in that order and in transactions of their own. The rows and the
  // queue are therefore read in one snapshot, and the bucket after it (once the workload has stopped
  // only a PUT that a frozen S3 server held can still add an object: the harness's second reconcile
  // is for those). Read one by one, a row read as `deleting` whose job finished in between looked
  // stranded, and an object listed before both went looked orphaned.
  await db.query('begin transaction isolation level repeatable read read only');
  let rows: Array<{ id: string; status: string; object_key: string | null; sha256: string | null }>;
  let queued: Awaited<ReturnType<typeof queuedRemovals>>;
  try {
    rows = (await db.query('select id, status, object_key, sha256 from documents')).rows;
    // Deleting commits `deleting` and a remove_object job in one transaction; the job (retried with
    // backoff, by any instance) removes the object and then the row.
    queued = await queuedRemovals(db);
  } finally {
    await db.query('commit');
  }
  const keys = new Set(await listKeys(s3, bucket));
  const byId = new Map(rows.map((row) => [row.id, row]));
  const owned = new Set(rows.flatMap((row) => (row.object_key === null ? [] : [row.object_key])));

  const acknowledgedBroken: string[] = [];
  for (const [id, expected] of ledger.acknowledged) {
    const row = byId.get(id);
    if (row === undefined) acknowledgedBroken.push(`${id}: no row`);
    else if (row.status !== 'ready') acknowledgedBroken.push(`${id}: row is ${row.status}`);
    else if (row.sha256 !== null && row.sha256 !== expected.sha256)
      acknowledgedBroken.push(`${id}: row sha256 ${row.sha256}`);
    else if (row.object_key === null || !keys.has(row.object_key))
      acknowledgedBroken.push(`${id}: no object`);
    else if ((await objectSha256(s3, bucket, row.object_key)) !== expected.sha256)
      acknowledgedBroken.push(`${id}: object bytes differ`);
  }

  return [
    ...violation(
      // A row deleted with its object's removal queued in the same commit (a refused upload, a
      // swept one whose bytes landed late) leaves the object to its remove_object job.
      'no object without a row or a queued removal',
      [...keys].filter((key) => !owned.has(key) && !queued.keys.has(key)),
    ),
    ...violation(
      'every deleting row has its removal queued (else it and its object stay forever)',
      rows.filter((row) => row.status === 'deleting' && !queued.rows.has(row.id)).map((row) => row.id),
    ),
    ...violation(
      'no ready row without its object',
      rows
        .filter((row) => row.status === 'ready' && (row.object_key === null || !keys.has(row.object_key)))
        .map((row) => row.id),
    ),
    ...violation(
      'nothing lost: no row had to be marked missing',
      rows.filter((row) => row.status === 'missing').map((row) => row.id),
    ),
    ...violation('every acknowledged upload readable with its sha256', acknowledgedBroken),
    ...violation(
      'an acknowledged delete stays done (row gone, or deleting: committed and hidden from its user)',
      [...ledger.deleted].flatMap((id) => {
        const row = byId.get(id);
        if (row === undefined || row.status === 'deleting') return [];
        return [`${id}: row is ${row.status}`];
      }),
    ),
  ];
}
