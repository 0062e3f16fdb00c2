import type { AuditApi } from '@docstore/contract';
import type { Store } from '../store/store.ts';
import type { Caller } from './caller.ts';
import { decodeCursor, encodeCursor } from './cursor.ts';

/** The caller's own audit entries, newest first, keyset-paged like documents. */
export function createAuditApi({ store, caller }: { store: Store; caller: Caller }): AuditApi {
  return {
    async list({ cursor, limit }) {
      const after = cursor === undefined ? undefined : decodeCursor(cursor);
      const rows = await store.audit.page(
        caller.userId,
        after && { at: after.createdAt, id: after.id },
        limit + 1,
      );
      const page = rows.slice(0, limit);
      const last = page.at(-1);
      return {
        items: page.map((entry) => ({ ...entry, at: entry.at.toISOString() })),
        nextCursor: rows.length > limit && last ? encodeCursor({ createdAt: last.at, id: last.id }) : null,
      };
    },
  };
}
