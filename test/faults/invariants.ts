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
 * Deleting rows whose remove_object job is not (or no longer) in the queue: not one of issue 9's
 * invariants, an observation the harness logs. Seen once in CI (seed 379791, round 2: blob frozen,
 * metadata killed, PostgreSQL frozen) and not yet explained; such a row is hidden from its user and its
 * object, if any, is an orphan the reconciler removes.
 */
export async function deletingWithoutRemoval(db: pg.Client): Promise<string[]> {
  const { rows } = await db.query<{ id: string }>(
    `select d.id from documents d
      where d.status = 'deleting'
        and not exists (select 1 from graphile_worker.jobs j
                         where j.task_identifier = 'remove_object'
                           and j.key = 'remove_object:' || coalesce(d.object_key, d.id::text))`,
  );
  return rows.map((row) => row.id);
}

export async function checkInvariants(options: {
  db: pg.Client;
  s3: Client;
  bucket: string;
  ledger: Ledger;
}): Promise<Violation[]> {
  const { db, s3, bucket, ledger } = options;
  const keys = new Set(await listKeys(s3, bucket));
  const rows = (
    await db.query<{ id: string; status: string; object_key: string | null; sha256: string | null }>(
      'select id, status, object_key, sha256 from documents',
    )
  ).rows;
  const byId = new Map(rows.map((row) => [row.id, row]));
  // Deleting commits `deleting` and a remove_object job in one transaction; the job (retried with
  // backoff, by any instance) removes the object and then the row. Its key names the object.
  const queued = new Set(
    (
      await db.query<{ key: string }>(
        `select key from graphile_worker.jobs where task_identifier = 'remove_object' and key is not null`,
      )
    ).rows.map((job) => job.key),
  );
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
      [...keys].filter((key) => !owned.has(key) && !queued.has(`remove_object:${key}`)),
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
