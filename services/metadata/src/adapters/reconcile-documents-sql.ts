/**
 * The reconciler's documents side over SQL. THE SEAM: when the life-cycle store lands, this file is
 * replaced by an implementation of `ReconcileDocuments` on that store (its `markMissing` transition,
 * its durable object-removal queue); the reconciler itself does not change.
 */
import { randomUUID } from 'node:crypto';
import { DocstoreError } from '@docstore/contract';
import type { MikroORM } from '@mikro-orm/postgresql';
import pg from 'pg';
import { AuditLog } from '../db/entities.ts';
import type { ReadyRow, ReconcileDocuments } from '../domain/reconciler/ports.ts';
import { recordStatus } from '../domain/status/status-store.ts';

/** pg_try_advisory_lock's key: any constant, the same in every instance ("docstore reconcile"). */
export const RECONCILE_LOCK_KEY = 0x646f_6373_7263_6e63n;
const LOCK_CONNECT_TIMEOUT_MS = 5_000;
/** The audit action of a `ready` → `missing` change. */
export const MISSING_AUDIT_ACTION = 'document.missing';

export interface SqlReconcileDocumentsOptions {
  orm: MikroORM;
  /** For the lock's own connection: a session lock must stay on one connection, which a pool does not promise. */
  databaseUrl: string;
  /** Removes an object from the bucket (the blob service's `objects.delete`). */
  removeObject(key: string): Promise<void>;
}

interface ReadyRowRecord {
  id: string;
  user_id: string;
  object_key: string;
  size: string | number;
}

export function createSqlReconcileDocuments(options: SqlReconcileDocumentsOptions): ReconcileDocuments {
  const { orm } = options;
  const connection = () => orm.em.fork().getConnection();

  return {
    async ownedKeys(keys) {
      if (keys.length === 0) return new Set();
      const rows = await connection().execute<{ object_key: string }[]>(
        'select object_key from documents where object_key in (?)',
        [keys],
      );
      return new Set(rows.map((row) => row.object_key));
    },

    async readyRowsByKey(afterKey, limit) {
      const rows = await connection().execute<ReadyRowRecord[]>(
        `select id, user_id, object_key, size from documents
          where status = 'ready' and object_key is not null
            ${afterKey === null ? '' : 'and object_key collate "C" > ?'}
          order by object_key collate "C" limit ?`,
        afterKey === null ? [limit] : [afterKey, limit],
      );
      return rows.map(
        (row): ReadyRow => ({
          id: row.id,
          userId: row.user_id,
          objectKey: row.object_key,
          size: Number(row.size),
        }),
      );
    },

    async markMissing(row, reason) {
      return orm.em.fork().transactional(async (tx) => {
        const connection = tx.getConnection();
        const context = tx.getTransactionContext();
        const changed = await connection.execute<{ id: string }[]>(
          `update documents set status = 'missing', failure_reason = ?, updated_at = now()
            where id = ? and status = 'ready' and object_key = ? returning id`,
          [reason, row.id, row.objectKey],
          'all',
          context,
        );
        if (changed.length !== 1) return false;
        // Topic counters count ready documents only.
        await connection.execute(
          `update topics set document_count = document_count - 1
            where id in (select topic_id from document_topics where document_id = ?)`,
          [row.id],
          'run',
          context,
        );
        await recordStatus(tx, row.userId, {
          documentId: row.id,
          status: 'missing',
          receivedBytes: row.size,
          totalBytes: row.size,
          error: reason,
        });
        tx.create(AuditLog, {
          id: randomUUID(),
          userId: row.userId,
          action: MISSING_AUDIT_ACTION,
          targetType: 'document',
          targetId: row.id,
          ipAddress: null,
          details: { objectKey: row.objectKey, reason, by: 'reconciler' },
        });
        await tx.flush();
        return true;
      });
    },

    removeObject: (key) => options.removeObject(key),

    async withRunLock(work) {
      const client = new pg.Client({
        connectionString: options.databaseUrl,
        connectionTimeoutMillis: LOCK_CONNECT_TIMEOUT_MS,
        // pg_try_advisory_lock never waits for the lock; this bounds a frozen server.
        query_timeout: LOCK_CONNECT_TIMEOUT_MS,
      });
      // A dropped lock connection must not crash the process; the run's own queries report it.
      client.on('error', () => {});
      try {
        await client.connect();
      } catch (cause) {
        await client.end().catch(() => {});
        throw new DocstoreError('SERVICE_UNAVAILABLE', 'the database is unavailable', { cause });
      }
      try {
        const result = await client.query<{ locked: boolean }>('select pg_try_advisory_lock($1) as locked', [
          RECONCILE_LOCK_KEY.toString(),
        ]);
        if (result.rows[0]?.locked !== true) return { locked: false };
        // Released when the connection ends, below, even when `work` throws.
        return { locked: true, value: await work() };
      } finally {
        await client.end().catch(() => {});
      }
    },
  };
}
