import { DocstoreError, type DocumentsApi, type StatusEvent } from '@docstore/contract';
import type { MikroORM } from '@mikro-orm/postgresql';
import { Document } from '../db/entities.ts';
import { recordAudit } from './audit.ts';
import { documentById, documentPage } from './document-pages.ts';
import { hasStatusOrDocument } from './status/status-access.ts';
import type { StatusBus } from './status/status-bus.ts';
import { recordStatus } from './status/status-store.ts';
import { statusStream } from './status/status-stream.ts';
import { adjustTopicCounts } from './topic-counts.ts';
import { topicsNamed } from './topic-names.ts';
import { createUploads, type UploadDeps } from './uploads.ts';
import { documentView } from './views.ts';

export interface DocumentsDeps extends UploadDeps {
  orm: MikroORM;
  bus: StatusBus;
}

/**
 * The caller's live status events. A function of its own, not a method closing over the API: a
 * subscription lives as long as its client, and should hold only what it needs (not an
 * EntityManager fork and the rest of the API).
 */
async function* statusFeed(
  context: { orm: MikroORM; bus: StatusBus; userId: string },
  input: { documentId?: string; lastEventId?: string },
  signal: AbortSignal,
): AsyncGenerator<{ id: string; event: StatusEvent }> {
  const { documentId } = input;
  if (
    documentId !== undefined &&
    !(await hasStatusOrDocument(context.orm.em.fork(), context.userId, documentId))
  ) {
    throw new DocstoreError('NOT_FOUND', `document ${documentId} not found`);
  }
  yield* statusStream({ ...context, documentId, lastEventId: input.lastEventId, signal });
}

export function createDocumentsApi(deps: DocumentsDeps): DocumentsApi {
  const { em, blob, caller } = deps;
  const { userId } = caller;
  const uploads = createUploads(deps);

  const findOwn = async (id: string): Promise<Document> => {
    const document = await em.findOne(Document, { id, userId }, { populate: ['topics'] });
    if (!document) throw new DocstoreError('NOT_FOUND', `document ${id} not found`);
    return document;
  };

  return {
    upload: (meta, body, signal) => uploads.upload(meta, body, signal),
    createUpload: (input) => uploads.createUpload(input),
    completeUpload: ({ id }) => uploads.completeUpload(id),

    async get({ id }) {
      const document = await documentById(em, userId, id);
      if (!document) throw new DocstoreError('NOT_FOUND', `document ${id} not found`);
      return document;
    },

    list: (input) => documentPage(em, userId, input),

    async delete({ id }) {
      const document = await findOwn(id);
      await em.transactional(async (tx) => {
        if (document.status === 'ready') {
          await adjustTopicCounts(tx, document.topics.getIdentifiers() as string[], -1);
        }
        await tx.nativeDelete(Document, { id, userId });
        recordAudit(tx, caller, 'document.delete', { type: 'document', id }, { name: document.name });
        await tx.flush();
        await recordStatus(tx, userId, {
          documentId: id,
          status: 'deleted',
          receivedBytes: document.size,
          totalBytes: document.size,
        });
        // The object goes before the commit: if the blob service cannot delete it, the row stays.
        if (document.objectKey) await blob.delete(document.objectKey);
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
      if (document.status !== 'ready' || !document.objectKey) {
        throw new DocstoreError('CONFLICT', `document ${id} is ${document.status}`);
      }
      return blob.presignGet(document.objectKey, document.name, expiresInSeconds);
    },

    onStatus: (input, signal) => statusFeed({ orm: deps.orm, bus: deps.bus, userId }, input, signal),
  };
}
