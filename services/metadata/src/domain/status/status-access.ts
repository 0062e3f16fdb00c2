import type { EntityManager } from '@mikro-orm/postgresql';

/** Whether the user owns this document, or did (its events outlive a deleted one). */
export async function hasStatusOrDocument(
  em: EntityManager,
  userId: string,
  documentId: string,
): Promise<boolean> {
  const rows = await em.getConnection().execute<unknown[]>(
    `select 1 from documents where id = ? and user_id = ?
     union all
     select 1 from status_events where document_id = ? and user_id = ?
     limit 1`,
    [documentId, userId, documentId, userId],
  );
  return rows.length > 0;
}
