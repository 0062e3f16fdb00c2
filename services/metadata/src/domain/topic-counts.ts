import { raw } from '@mikro-orm/core';
import type { EntityManager } from '@mikro-orm/postgresql';
import { Topic } from '../db/entities.ts';

/**
 * Moves the ready-document counters of topics by `delta` in one statement, inside the caller's
 * transaction: counts stay one cheap read however many documents there are.
 */
export async function adjustTopicCounts(em: EntityManager, topicIds: string[], delta: 1 | -1): Promise<void> {
  if (topicIds.length === 0) return;
  await em
    .createQueryBuilder(Topic)
    .update({ documentCount: raw(`document_count + ${delta}`) })
    .where({ id: { $in: topicIds } })
    .execute();
}
