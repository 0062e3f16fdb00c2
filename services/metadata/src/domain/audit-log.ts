import type { AuditApi } from '@docstore/contract';
import type { EntityManager, FilterQuery } from '@mikro-orm/postgresql';
import { AuditLog } from '../db/entities.ts';
import type { Caller } from './caller.ts';
import { decodeCursor, encodeCursor } from './cursor.ts';

/** The caller's own audit entries, newest first, keyset-paged like documents. */
export function createAuditApi({ em, caller }: { em: EntityManager; caller: Caller }): AuditApi {
  return {
    async list({ cursor, limit }) {
      const where: FilterQuery<AuditLog> = { userId: caller.userId };
      if (cursor !== undefined) {
        const after = decodeCursor(cursor);
        where.$or = [{ at: { $lt: after.createdAt } }, { at: after.createdAt, id: { $lt: after.id } }];
      }
      const rows = await em.find(AuditLog, where, { orderBy: { at: 'desc', id: 'desc' }, limit: limit + 1 });
      const page = rows.slice(0, limit);
      const last = page.at(-1);
      return {
        items: page.map((entry) => ({
          id: entry.id,
          action: entry.action,
          targetType: entry.targetType,
          targetId: entry.targetId ?? null,
          ipAddress: entry.ipAddress ?? null,
          details: entry.details ?? null,
          at: entry.at.toISOString(),
        })),
        nextCursor: rows.length > limit && last ? encodeCursor({ createdAt: last.at, id: last.id }) : null,
      };
    },
  };
}
