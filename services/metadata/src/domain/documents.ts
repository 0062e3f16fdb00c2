import { randomUUID } from 'node:crypto';
import { DocstoreError, type DocumentsApi } from '@docstore/contract';
import type { Logger } from '@docstore/server-kit';
import type { EntityManager, FilterQuery } from '@mikro-orm/postgresql';
import type { BlobGateway } from '../adapters/blob-gateway.ts';
import { Document, Topic } from '../db/entities.ts';
import { recordAudit } from './audit.ts';
import type { Caller } from './caller.ts';
import { decodeCursor, encodeCursor } from './cursor.ts';
import { sha256Tap } from './hashing.ts';
import { adjustTopicCounts } from './topic-counts.ts';
import { normalizeTopicName } from './topic-names.ts';
import { documentView } from './views.ts';

export interface DocumentsDeps {
  em: EntityManager;
  blob: BlobGateway;
  caller: Caller;
  logger: Logger;
}

/** The caller's topics with these names; an unknown name is INVALID_INPUT naming it. */
async function topicsNamed(em: EntityManager, userId: string, names: string[]): Promise<Topic[]> {
  const wanted = new Map(names.map((name) => [normalizeTopicName(name), name]));
  if (wanted.size === 0) return [];
  const found = await em.find(Topic, { userId, normalizedName: { $in: [...wanted.keys()] } });
  const missing = [...wanted].filter(([key]) => !found.some((topic) => topic.normalizedName === key));
  if (missing.length > 0) {
    throw new DocstoreError('INVALID_INPUT', `unknown topic: ${missing.map(([, name]) => name).join(', ')}`);
  }
  return found;
}

export function createDocumentsApi({ em, blob, caller, logger }: DocumentsDeps): DocumentsApi {
  const { userId } = caller;

  const findOwn = async (id: string): Promise<Document> => {
    const document = await em.findOne(Document, { id, userId }, { populate: ['topics'] });
    if (!document) throw new DocstoreError('NOT_FOUND', `document ${id} not found`);
    return document;
  };

  return {
    async upload(meta, body, signal) {
      // Unknown topics fail before a single byte is stored.
      const topics = await topicsNamed(em, userId, meta.topics);
      const id = randomUUID();
      const hash = sha256Tap();
      const stored = await blob.put(
        { userId, documentId: id, name: meta.name, mimeType: meta.mimeType, size: meta.size },
        body.pipeThrough(hash.stream),
        signal,
      );
      try {
        const document = await em.transactional(async (tx) => {
          const created = tx.create(Document, {
            id,
            userId,
            name: meta.name,
            mimeType: meta.mimeType,
            declaredMimeType: meta.mimeType,
            size: stored.size,
            sha256: hash.digest(),
            objectKey: stored.key,
            status: 'ready',
            topics: topics.map((topic) => tx.getReference(Topic, topic.id)),
          });
          await adjustTopicCounts(
            tx,
            topics.map((topic) => topic.id),
            1,
          );
          recordAudit(
            tx,
            caller,
            'document.upload',
            { type: 'document', id },
            {
              name: meta.name,
              size: stored.size,
              topics: topics.map((topic) => topic.name),
            },
          );
          return created;
        });
        return documentView(
          document,
          topics.map((topic) => topic.name),
        );
      } catch (error) {
        // The row did not commit: the object must not outlive it.
        await blob.delete(stored.key).catch((cleanup: unknown) =>
          logger.error('orphaned object after a failed commit', {
            key: stored.key,
            error: String(cleanup),
          }),
        );
        throw error;
      }
    },

    async get({ id }) {
      return documentView(await findOwn(id));
    },

    async list({ topic, cursor, limit }) {
      const where: FilterQuery<Document> = { userId };
      if (topic !== undefined) where.topics = { userId, normalizedName: normalizeTopicName(topic) };
      if (cursor !== undefined) {
        const after = decodeCursor(cursor);
        where.$or = [
          { createdAt: { $lt: after.createdAt } },
          { createdAt: after.createdAt, id: { $lt: after.id } },
        ];
      }
      // One statement for the page, one for all its topics (select-in), whatever the page size.
      const rows = await em.find(Document, where, {
        populate: ['topics'],
        populateWhere: 'all',
        strategy: 'select-in',
        orderBy: { createdAt: 'desc', id: 'desc' },
        limit: limit + 1,
      });
      const page = rows.slice(0, limit);
      const last = page.at(-1);
      return {
        items: page.map((document) => documentView(document)),
        nextCursor: rows.length > limit && last ? encodeCursor(last) : null,
      };
    },

    async delete({ id }) {
      const document = await findOwn(id);
      await em.transactional(async (tx) => {
        if (document.status === 'ready') {
          await adjustTopicCounts(tx, document.topics.getIdentifiers() as string[], -1);
        }
        await tx.nativeDelete(Document, { id, userId });
        recordAudit(tx, caller, 'document.delete', { type: 'document', id }, { name: document.name });
        await tx.flush();
        // The object goes before the commit: if the blob service cannot delete it, the row stays.
        await blob.delete(document.objectKey);
      });
      return { id };
    },

    async setTopics({ id, topics: names }) {
      const document = await findOwn(id);
      const topics = await topicsNamed(em, userId, names);
      const before = new Set(document.topics.getIdentifiers() as string[]);
      const after = new Set(topics.map((topic) => topic.id));
      await em.transactional(async (tx) => {
        document.topics.set(topics);
        if (document.status === 'ready') {
          await adjustTopicCounts(
            tx,
            [...before].filter((topicId) => !after.has(topicId)),
            -1,
          );
          await adjustTopicCounts(
            tx,
            [...after].filter((topicId) => !before.has(topicId)),
            1,
          );
        }
        recordAudit(
          tx,
          caller,
          'document.set_topics',
          { type: 'document', id },
          {
            topics: topics.map((topic) => topic.name),
          },
        );
      });
      return documentView(
        document,
        topics.map((topic) => topic.name),
      );
    },

    async downloadUrl({ id, expiresInSeconds }) {
      const document = await em.findOne(Document, { id, userId });
      if (!document) throw new DocstoreError('NOT_FOUND', `document ${id} not found`);
      if (document.status !== 'ready')
        throw new DocstoreError('CONFLICT', `document ${id} is ${document.status}`);
      return blob.presignGet(document.objectKey, document.name, expiresInSeconds);
    },
  };
}
