import { DocstoreError, type DocumentView, type TopicView } from '@docstore/contract';
import type { Document, Topic } from '../db/entities.ts';
import type { Store } from '../store/store.ts';

export function documentView(document: Document, topicNames?: string[]): DocumentView {
  const names = topicNames ?? document.topics.getItems().map((topic) => topic.name);
  return {
    id: document.id,
    name: document.name,
    mimeType: document.mimeType,
    size: document.size,
    sha256: document.sha256 ?? null,
    status: document.status,
    topics: [...names].sort((a, b) => a.localeCompare(b)),
    createdAt: document.createdAt.toISOString(),
    updatedAt: document.updatedAt.toISOString(),
  };
}

/** A topic as the views need it: a managed entity or a plain row read for display. */
export type TopicRow = Pick<
  Topic,
  'id' | 'name' | 'description' | 'color' | 'documentCount' | 'createdAt' | 'updatedAt'
> &
  Partial<Pick<Topic, 'matchAlgorithm' | 'matchPattern' | 'matchCaseSensitive'>>;

export function topicView(topic: TopicRow): TopicView {
  return {
    id: topic.id,
    name: topic.name,
    description: topic.description ?? null,
    color: topic.color ?? null,
    documentCount: topic.documentCount,
    createdAt: new Date(topic.createdAt).toISOString(),
    updatedAt: new Date(topic.updatedAt).toISOString(),
    ...(topic.matchAlgorithm === undefined
      ? {}
      : {
          match: {
            algorithm: topic.matchAlgorithm,
            pattern: topic.matchPattern ?? '',
            caseSensitive: topic.matchCaseSensitive ?? false,
          },
        }),
  };
}

/** What a caller is told about a document that is not theirs, absent, or being deleted. */
export const documentNotFound = (id: string) => new DocstoreError('NOT_FOUND', `document ${id} not found`);

/** The caller's document as a view, or NOT_FOUND. */
export async function callersDocument(store: Store, userId: string, id: string): Promise<DocumentView> {
  const document = await store.documents.view(userId, id);
  if (!document) throw documentNotFound(id);
  return document;
}
