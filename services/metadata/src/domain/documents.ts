import {
  DocstoreError,
  type DocumentsApi,
  type LiveFeed,
  liveFeed,
  type StatusEvent,
} from '@docstore/contract';
import type { MikroORM } from '@mikro-orm/postgresql';
import { createProcessingApi } from './document-processing.ts';
import { hasStatusOrDocument } from './status/status-access.ts';
import type { StatusBus } from './status/status-bus.ts';
import { statusStream } from './status/status-stream.ts';
import { completeDirectUpload, createDirectUpload } from './uploads/direct-upload.ts';
import { proxiedUpload } from './uploads/proxied-upload.ts';
import type { UploadDeps } from './uploads/upload-deps.ts';
import { callersDocument, documentNotFound } from './views.ts';

export interface DocumentsDeps extends UploadDeps {
  orm: MikroORM;
  bus: StatusBus;
}

/**
 * The caller's live status events. A function of its own, not a method closing over the API: a
 * subscription lives as long as its client, and should hold only what it needs (not a store and the
 * rest of the API).
 */
function statusFeed(
  context: { orm: MikroORM; bus: StatusBus; userId: string },
  input: { documentId?: string; lastEventId?: string },
): LiveFeed<{ id: string; event: StatusEvent }> {
  const { documentId } = input;
  const events = statusStream({ ...context, documentId, lastEventId: input.lastEventId });
  if (documentId === undefined) return events;
  return liveFeed(async (deliver, signal) => {
    if (signal.aborted) return;
    if (!(await hasStatusOrDocument(context.orm.em.fork(), context.userId, documentId))) {
      throw documentNotFound(documentId);
    }
    await events.listen(deliver, signal);
  });
}

export function createDocumentsApi(deps: DocumentsDeps): DocumentsApi {
  const { store, blob, caller } = deps;
  const { userId } = caller;

  const view = (id: string) => callersDocument(store, userId, id);
  return {
    upload: (meta, body, signal) => proxiedUpload(deps, meta, body, signal),
    createUpload: (input) => createDirectUpload(deps, input),
    completeUpload: ({ id }) => completeDirectUpload(deps, id),

    get: ({ id }) => view(id),

    list: (input) => store.documents.page(userId, input),

    /**
     * Commit first, remove after: the row becomes `deleting` (gone for its owner) together with a
     * durable job that removes the object and then the row, retried until it succeeds. A failed
     * commit changes nothing, object included.
     */
    async delete({ id }) {
      await store.withTransaction(async (tx) => {
        const claimed = await tx.documents.markDeleting({ id, userId });
        if (!claimed) throw documentNotFound(id);
        await tx.audit.record(caller, 'document.delete', { type: 'document', id }, { name: claimed.name });
      });
      return { id };
    },

    async setTopics({ id, topics: names }) {
      const topics = await store.topics.named(userId, names);
      await store.withTransaction(async (tx) => {
        const found = await tx.documents.setTopics(
          userId,
          id,
          topics.map((topic) => topic.id),
        );
        if (!found) throw documentNotFound(id);
        await tx.audit.record(
          caller,
          'document.set_topics',
          { type: 'document', id },
          { topics: topics.map((topic) => topic.name) },
        );
      });
      return view(id);
    },

    async downloadUrl({ id, expiresInSeconds }) {
      const document = await store.documents.find(userId, id);
      if (!document) throw documentNotFound(id);
      if (document.status !== 'ready' || !document.objectKey) {
        throw new DocstoreError('CONFLICT', `document ${id} is ${document.status}`);
      }
      return blob.presignGet(document.objectKey, document.name, expiresInSeconds);
    },

    onStatus: (input) => statusFeed({ orm: deps.orm, bus: deps.bus, userId }, input),

    ...createProcessingApi({ store, caller }),
  };
}
