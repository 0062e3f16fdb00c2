import { createHash, randomUUID } from 'node:crypto';
import { DocstoreError, type DocumentView } from '@docstore/contract';
import { fileTypeFromBuffer } from 'file-type';
import type { Store } from '../../store/store.ts';
import type { Caller } from '../caller.ts';
import { progressTap } from '../progress-tap.ts';
import type { NewStatusEvent } from '../status/status-store.ts';
import { splitHead } from '../stream-head.ts';
import { startKeepAlive } from './keep-alive.ts';
import { abortedUpload } from './upload-abort.ts';
import { checkSize, failUpload, type ResolvedUploadMeta, type UploadDeps } from './upload-deps.ts';

/** What file-type needs to recognise every format it knows. */
const SNIFF_BYTES = 4100;

/** The largest object S3 takes in one PUT: a larger declared body goes through the blob service. */
const S3_SINGLE_PUT_BYTES = 5 * 1024 ** 3;

/** Status events of one upload, written in order without holding the stream back. */
function statusWriter(store: Store, caller: Caller, logger: UploadDeps['logger']) {
  let chain = Promise.resolve();
  return {
    emit(event: NewStatusEvent): void {
      chain = chain
        .then(() => store.status.record(caller.userId, event))
        .catch((error: unknown) => logger.warn('could not record a status event', { error: String(error) }));
    },
    /** Resolves once every event emitted so far is stored. */
    flushed: () => chain,
  };
}

/** Input the client got wrong: nothing is kept, not even a failed row. */
const isRefusedInput = (error: unknown) =>
  error instanceof DocstoreError && (error.code === 'PAYLOAD_TOO_LARGE' || error.code === 'INVALID_INPUT');

/**
 * Proxied: the bytes stream client → here → S3, hashed and counted on the way, into a PUT the blob
 * service signed (it still makes every key and signature); with PROXIED_UPLOAD_ROUTE=blob, or a body
 * of unknown size, client → here → blob service → S3. The key is made and recorded (pending) before
 * the first byte moves; then stored → ready.
 * Refused input (too large, not the declared size): no row, no object. Broken off: `failed`, and the
 * object's removal enqueued with the transition.
 */
export async function proxiedUpload(
  deps: UploadDeps,
  meta: ResolvedUploadMeta,
  body: ReadableStream<Uint8Array>,
  signal: AbortSignal,
): Promise<DocumentView> {
  const { store, blob, caller, logger } = deps;
  const { userId } = caller;
  checkSize(meta.size, deps.maxUploadBytes);
  const topics = await store.topics.named(userId, meta.topics);
  const { head, whole } = await splitHead(body, SNIFF_BYTES);
  const sniffed = head.byteLength > 0 ? await fileTypeFromBuffer(head) : undefined;
  const mimeType = sniffed?.mime ?? meta.mimeType;
  const id = randomUUID();
  const total = meta.size ?? null;
  const object = { userId, documentId: id, name: meta.name, mimeType };
  let key: string;
  /** Set when the bytes go straight into S3: a declared size within one PUT, and the `s3` route. */
  let signedPut: { url: string; size: number } | undefined;
  try {
    if (deps.proxiedUploadRoute === 's3' && meta.size !== undefined && meta.size <= S3_SINGLE_PUT_BYTES) {
      const presigned = await blob.presignPut(object, deps.uploadTtlSeconds, true);
      key = presigned.key;
      signedPut = { url: presigned.url, size: meta.size };
    } else {
      key = await blob.reserveKey(object);
    }
    await store.documents.markPending(userId, {
      id,
      name: meta.name,
      mimeType,
      declaredMimeType: meta.mimeType,
      size: meta.size ?? 0,
      objectKey: key,
      topicIds: topics.map((topic) => topic.id),
    });
  } catch (error) {
    // No byte has moved and none will: let the request body go.
    await whole.cancel().catch(() => {});
    throw error;
  }

  const status = statusWriter(store, caller, logger);
  const hash = createHash('sha256');
  const progress = progressTap({
    maxBytes: deps.maxUploadBytes,
    declaredSize: meta.size,
    onChunk(chunk) {
      hash.update(chunk);
      deps.onBytesStreamed?.(chunk.byteLength);
    },
    onProgress(receivedBytes) {
      status.emit({ documentId: id, status: 'receiving', receivedBytes, totalBytes: total, at: new Date() });
    },
  });
  const gone = new AbortController();
  const keepAlive = startKeepAlive({
    store,
    documentId: id,
    uploadTtlSeconds: deps.uploadTtlSeconds,
    logger,
    onGone: () =>
      gone.abort(new DocstoreError('CONFLICT', `document ${id} was removed while it was being uploaded`)),
  });
  let storedSize: number;
  try {
    const bytes = whole.pipeThrough(progress.stream);
    const stopped = AbortSignal.any([signal, gone.signal]);
    if (signedPut) {
      await blob.putSigned(signedPut.url, bytes, { size: signedPut.size, mimeType }, stopped);
      storedSize = progress.received;
    } else {
      storedSize = (await blob.put({ ...object, size: meta.size, key }, bytes, stopped)).size;
    }
  } catch (blobError) {
    const error: unknown = progress.error ?? (gone.signal.aborted ? gone.signal.reason : blobError);
    await status.flushed();
    const sent = { receivedBytes: progress.received, totalBytes: total };
    if (signal.aborted) {
      // The client went away, or the server's shutdown grace ran out (then SERVICE_UNAVAILABLE).
      const aborted = abortedUpload(signal, error);
      await failUpload(deps, id, key, aborted.reason, sent);
      throw aborted.error;
    } else if (isRefusedInput(error)) {
      await store.documents
        .discardPending(userId, id, (error as Error).message, sent)
        .catch(() => failUpload(deps, id, key, (error as Error).message, sent));
    } else if (!gone.signal.aborted) {
      await failUpload(deps, id, key, `upload failed: ${(error as Error).message}`, sent);
    } else {
      // The row is already deleting and its removal job may have run before these bytes landed:
      // remove the object again (a job of its own, keyed by the object, never replacing the row's).
      await store.jobs.enqueueObjectRemoval({ key }).catch(() => {});
    }
    throw error;
  } finally {
    keepAlive.stop();
  }
  await status.flushed();
  try {
    await store.documents.markStored(userId, id, { size: storedSize, sha256: hash.digest('hex') });
    await store.documents.markReady(caller, id);
  } catch (error) {
    // Never acknowledge what is not committed: the object goes, the client gets the error.
    await failUpload(deps, id, key, 'the document could not be committed', {
      receivedBytes: storedSize,
      totalBytes: storedSize,
    });
    throw error;
  }
  const view = await store.documents.view(userId, id);
  if (!view) throw new DocstoreError('CONFLICT', `document ${id} was removed as it became ready`);
  return view;
}
