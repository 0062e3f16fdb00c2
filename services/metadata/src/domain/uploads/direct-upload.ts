import { randomUUID } from 'node:crypto';
import { type CreatedUpload, DocstoreError, type DocumentView, type StoredObject } from '@docstore/contract';
import { callersDocument, documentNotFound } from '../views.ts';
import { checkSize, failUpload, type ResolvedUploadMeta, type UploadDeps } from './upload-deps.ts';

/**
 * Direct, step 1: a `pending` row that records the key, then the presigned PUT to that key. The URL
 * reaches the client only after the row committed, so no byte moves before the key is recorded.
 */
export async function createDirectUpload(
  deps: UploadDeps,
  input: ResolvedUploadMeta & { size: number },
): Promise<CreatedUpload> {
  const { store, blob, caller } = deps;
  const { userId } = caller;
  checkSize(input.size, deps.maxUploadBytes);
  const topics = await store.topics.named(userId, input.topics);
  const id = randomUUID();
  const presigned = await blob.presignPut(
    { userId, documentId: id, name: input.name, mimeType: input.mimeType },
    deps.uploadTtlSeconds,
  );
  await store.withTransaction(async (tx) => {
    await tx.audit.record(
      caller,
      'document.create_upload',
      { type: 'document', id },
      { name: input.name, size: input.size },
    );
    await tx.documents.markPending(userId, {
      id,
      name: input.name,
      mimeType: input.mimeType,
      declaredMimeType: input.mimeType,
      size: input.size,
      objectKey: presigned.key,
      topicIds: topics.map((topic) => topic.id),
    });
  });
  const document = await store.documents.view(userId, id);
  if (!document) throw new DocstoreError('CONFLICT', `document ${id} was removed as it was created`);
  return { document, uploadUrl: presigned.url, expiresAt: presigned.expiresAt };
}

/**
 * Direct, step 2: checks what the client PUT. pending → stored → ready when the object is there with
 * the declared size; else failed (its object's removal enqueued). Safe to call again.
 */
export async function completeDirectUpload(deps: UploadDeps, id: string): Promise<DocumentView> {
  const { store, blob, caller } = deps;
  const { userId } = caller;
  const current = () => callersDocument(store, userId, id);
  const row = await store.documents.find(userId, id);
  if (!row) throw documentNotFound(id);
  if (row.status === 'ready' || row.status === 'missing') return current();
  if (row.status === 'failed') {
    throw new DocstoreError('CONFLICT', `upload ${id} failed: ${row.failureReason ?? 'unknown reason'}`);
  }
  const key = row.objectKey;
  if (!key) throw new DocstoreError('CONFLICT', `document ${id} is being uploaded through the service`);
  let object: StoredObject;
  try {
    object = await blob.stat(key);
  } catch (error) {
    if (!(error instanceof DocstoreError && error.code === 'NOT_FOUND')) throw error;
    await failUpload(deps, id, key, 'no object was uploaded', { receivedBytes: 0, totalBytes: row.size });
    return current();
  }
  if (object.size !== row.size) {
    await failUpload(deps, id, key, `uploaded ${object.size} bytes, declared ${row.size}`, {
      receivedBytes: object.size,
      totalBytes: row.size,
    });
    return current();
  }
  try {
    if (row.status === 'pending') await store.documents.markStored(userId, id, { size: object.size });
    await store.documents.markReady(caller, id);
  } catch (error) {
    // A concurrent completeUpload may have won the race: its result is this call's result too.
    const now = await store.documents.find(userId, id);
    if (now?.status === 'ready') return current();
    throw error;
  }
  return current();
}
