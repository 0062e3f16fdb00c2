import { DocstoreError, type DocumentsApi } from '@docstore/contract';
import type { Store } from '../store/store.ts';
import type { Caller } from './caller.ts';
import { callersDocument, documentNotFound } from './views.ts';

type ProcessingApi = Pick<
  DocumentsApi,
  'search' | 'text' | 'reprocess' | 'suggestions' | 'applySuggestions' | 'findBySha256'
>;

/** What processing adds to the documents API: search, text, reprocessing, suggestions, duplicates. */
export function createProcessingApi({ store, caller }: { store: Store; caller: Caller }): ProcessingApi {
  const { userId } = caller;
  const view = (id: string) => callersDocument(store, userId, id);
  return {
    search: (input) => store.processing.search(userId, input),

    async text({ id }) {
      const found = await store.processing.text(userId, id);
      if (!found) throw documentNotFound(id);
      return { id, ...found };
    },

    async reprocess({ id }) {
      await store.withTransaction(async (tx) => {
        const document = await tx.documents.find(userId, id);
        if (!document) throw documentNotFound(id);
        if (!(await tx.processing.reprocess(userId, id))) {
          throw new DocstoreError(
            'CONFLICT',
            `document ${id} is ${document.status}: only ready documents are processed`,
          );
        }
        await tx.audit.record(caller, 'document.reprocess', { type: 'document', id });
      });
      return view(id);
    },

    async suggestions({ id }) {
      await view(id);
      const rows = await store.processing.suggestions(userId, id);
      return rows.map(({ topicId: _topicId, ...suggestion }) => suggestion);
    },

    async applySuggestions({ id, accept, reject }) {
      await store.withTransaction(async (tx) => {
        const result = await tx.processing.applySuggestions(userId, id, accept, reject);
        if (!result) throw documentNotFound(id);
        await tx.audit.record(
          caller,
          'document.apply_suggestions',
          { type: 'document', id },
          { applied: result.applied.length, dismissed: result.dismissed },
        );
      });
      return view(id);
    },

    async findBySha256({ sha256 }) {
      const ids = await store.processing.bySha256(userId, sha256);
      const views = await Promise.all(ids.map((documentId) => store.documents.view(userId, documentId)));
      return views.filter((document) => document !== null);
    },
  };
}
