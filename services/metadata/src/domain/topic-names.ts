import { DocstoreError } from '@docstore/contract';
import type { EntityManager } from '@mikro-orm/postgresql';
import { Topic } from '../db/entities.ts';

/** The key that makes topic names unique per user regardless of case (names arrive trimmed, NFC). */
export function normalizeTopicName(name: string): string {
  return name.normalize('NFC').trim().toLowerCase();
}

/** The caller's topics with these names; an unknown name is INVALID_INPUT naming it. */
export async function topicsNamed(em: EntityManager, userId: string, names: string[]): Promise<Topic[]> {
  const wanted = new Map(names.map((name) => [normalizeTopicName(name), name]));
  if (wanted.size === 0) return [];
  const found = await em.find(Topic, { userId, normalizedName: { $in: [...wanted.keys()] } });
  const missing = [...wanted].filter(([key]) => !found.some((topic) => topic.normalizedName === key));
  if (missing.length > 0) {
    throw new DocstoreError('INVALID_INPUT', `unknown topic: ${missing.map(([, name]) => name).join(', ')}`);
  }
  return found;
}
