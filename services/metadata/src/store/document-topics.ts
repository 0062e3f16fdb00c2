import type { EntityManager } from '@mikro-orm/postgresql';
import { query } from './sql.ts';

// A JS array bound to `?` expands to a list (`?, ?, …`): hence `in (?)` and `array[?]`, never `any(?)`.

/**
 * Replaces a document's topics; a ready document moves the counters of the topics it left and
 * joined (counts cover ready documents only). Run inside a transaction: the row is locked first.
 */
export async function setDocumentTopics(
  em: EntityManager,
  userId: string,
  id: string,
  topicIds: string[],
): Promise<boolean> {
  const [document] = await query<{ status: string }>(
    em,
    `select status from documents where id = ? and user_id = ? and status <> 'deleting' for update`,
    [id, userId],
  );
  if (!document) return false;
  const before = new Set(
    (
      await query<{ topic_id: string }>(em, 'select topic_id from document_topics where document_id = ?', [
        id,
      ])
    ).map((row) => row.topic_id),
  );
  const after = new Set(topicIds);
  const removed = [...before].filter((topicId) => !after.has(topicId));
  const added = [...after].filter((topicId) => !before.has(topicId));
  if (removed.length > 0) {
    await query(em, 'delete from document_topics where document_id = ? and topic_id in (?)', [id, removed]);
  }
  if (added.length > 0) {
    await query(
      em,
      'insert into document_topics (document_id, topic_id) select ?, unnest(array[?]::uuid[])',
      [id, added],
    );
  }
  if (document.status === 'ready') {
    for (const [ids, delta] of [
      [removed, -1],
      [added, 1],
    ] as const) {
      if (ids.length > 0) {
        await query(em, 'update topics set document_count = document_count + ? where id in (?)', [
          delta,
          ids,
        ]);
      }
    }
  }
  return true;
}
