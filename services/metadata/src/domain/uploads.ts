import { randomUUID } from 'node:crypto';
import { type CreatedUpload, DocstoreError, type DocumentView, type UploadMeta } from '@docstore/contract';
import type { Logger } from '@docstore/server-kit';
import type { EntityManager } from '@mikro-orm/postgresql';
import { fileTypeFromBuffer } from 'file-type';
import type { BlobGateway } from '../adapters/blob-gateway.ts';
import { Document, Topic } from '../db/entities.ts';
import { recordAudit } from './audit.ts';
import type { Caller } from './caller.ts';
import { sha256Tap } from './hashing.ts';
import { progressTap } from './progress-tap.ts';
import { type NewStatusEvent, recordStatus } from './status/status-store.ts';
import { splitHead } from './stream-head.ts';
import { adjustTopicCounts } from './topic-counts.ts';
import { topicsNamed } from './topic-names.ts';
import { abortedUpload } from './upload-abort.ts';
import { documentView } from './views.ts';

/** What file-type needs to recognise every format it knows. */
const SNIFF_BYTES = 4100;
/** A long proxied upload touches its row this often, so the sweeper leaves it alone. */
const KEEPALIVE_MS = 60_000;

export interface UploadDeps {
  em: EntityManager;
  blob: BlobGateway;
  caller: Caller;
  logger: Logger;
  maxUploadBytes: number;
  uploadTtlSeconds: number;
}

type ResolvedUploadMeta = Required<Pick<UploadMeta, 'name' | 'mimeType' | 'topics'>> & { size?: number };

function checkSize(size: number | undefined, max: number): void {
  if (size !== undefined && size > max) {
    throw new DocstoreError('PAYLOAD_TOO_LARGE', `size ${size} is over the limit of ${max} bytes`);
  }
}

/** Status events of one upload, written in order without holding the stream back. */
function statusWriter(em: EntityManager, caller: Caller, logger: Logger) {
  let chain = Promise.resolve();
  return {
    emit(event: NewStatusEvent): void {
      chain = chain
        .then(() => recordStatus(em.fork(), caller.userId, event))
        .catch((error: unknown) => logger.warn('could not record a status event', { error: String(error) }));
    },
    /** Resolves once every event emitted so far is stored. */
    flushed: () => chain,
  };
}

export function createUploads(deps: UploadDeps) {
  const { em, blob, caller, logger } = deps;
  const { userId } = caller;

  const markFailed = async (id: string, reason: string, receivedBytes: number, totalBytes: number | null) => {
    await em.transactional(async (tx) => {
      await tx.nativeUpdate(
        Document,
        { id, userId },
        { status: 'failed', failureReason: reason, updatedAt: new Date() },
      );
      await recordStatus(tx, userId, {
        documentId: id,
        status: 'failed',
        receivedBytes,
        totalBytes,
        error: reason,
      });
    });
  };

  /** Marks a document whose object is stored `ready`, with its topics counted, in one transaction. */
  const markReady = async (document: Document, changes: Partial<Document>, topicIds: string[]) => {
    await em.transactional(async (tx) => {
      Object.assign(document, changes, { status: 'ready', failureReason: null });
      await adjustTopicCounts(tx, topicIds, 1);
      recordAudit(
        tx,
        caller,
        'document.upload',
        { type: 'document', id: document.id },
        {
          name: document.name,
          size: document.size,
        },
      );
      await tx.flush();
      await recordStatus(tx, userId, {
        documentId: document.id,
        status: 'ready',
        receivedBytes: document.size,
        totalBytes: document.size,
      });
    });
  };

  const createPending = async (fields: {
    id: string;
    meta: ResolvedUploadMeta;
    mimeType: string;
    objectKey: string | null;
    topics: Topic[];
    /** Audits the mutation that made the row, in its transaction (the proxied path audits at ready). */
    audit?: (tx: EntityManager) => void;
  }): Promise<Document> =>
    em.transactional(async (tx) => {
      fields.audit?.(tx);
      const document = tx.create(Document, {
        id: fields.id,
        userId,
        name: fields.meta.name,
        mimeType: fields.mimeType,
        declaredMimeType: fields.meta.mimeType,
        size: fields.meta.size ?? 0,
        objectKey: fields.objectKey,
        status: 'pending',
        topics: fields.topics.map((topic) => tx.getReference(Topic, topic.id)),
      });
      await tx.flush();
      await recordStatus(tx, userId, {
        documentId: fields.id,
        status: 'pending',
        receivedBytes: 0,
        totalBytes: fields.meta.size ?? null,
      });
      return document;
    });

  return {
    /**
     * Proxied: the bytes stream client → here → blob service → S3, hashed and counted on the way.
     * pending → receiving… → stored → ready. Too large: no object, no row. Broken off: no object,
     * the document `failed`.
     */
    async upload(
      meta: ResolvedUploadMeta,
      body: ReadableStream<Uint8Array>,
      signal: AbortSignal,
    ): Promise<DocumentView> {
      checkSize(meta.size, deps.maxUploadBytes);
      const topics = await topicsNamed(em, userId, meta.topics);
      const { head, whole } = await splitHead(body, SNIFF_BYTES);
      const sniffed = head.byteLength > 0 ? await fileTypeFromBuffer(head) : undefined;
      const mimeType = sniffed?.mime ?? meta.mimeType;
      const id = randomUUID();
      const total = meta.size ?? null;
      const document = await createPending({ id, meta, mimeType, objectKey: null, topics });

      const status = statusWriter(em, caller, logger);
      let touchedAt = Date.now();
      const hash = sha256Tap();
      const progress = progressTap({
        maxBytes: deps.maxUploadBytes,
        onProgress(receivedBytes) {
          status.emit({
            documentId: id,
            status: 'receiving',
            receivedBytes,
            totalBytes: total,
            at: new Date(),
          });
          if (Date.now() - touchedAt < KEEPALIVE_MS) return;
          touchedAt = Date.now();
          void em
            .fork()
            .nativeUpdate(Document, { id }, { updatedAt: new Date() })
            .catch(() => {});
        },
      });
      let stored: Awaited<ReturnType<BlobGateway['put']>>;
      try {
        stored = await blob.put(
          { userId, documentId: id, name: meta.name, mimeType, size: meta.size },
          whole.pipeThrough(progress.stream).pipeThrough(hash.stream),
          signal,
        );
      } catch (blobError) {
        const error = progress.error ?? blobError;
        await status.flushed();
        if (error instanceof DocstoreError && error.code === 'PAYLOAD_TOO_LARGE') {
          await em.transactional(async (tx) => {
            await tx.nativeDelete(Document, { id, userId });
            await recordStatus(tx, userId, {
              documentId: id,
              status: 'failed',
              receivedBytes: progress.received,
              totalBytes: total,
              error: error.message,
            });
          });
        } else {
          const aborted = signal.aborted ? abortedUpload(signal, error) : undefined;
          const reason = aborted?.reason ?? `upload failed: ${(error as Error).message}`;
          await markFailed(id, reason, progress.received, total);
          if (aborted) throw aborted.error;
        }
        throw error;
      }
      await status.flushed();
      await recordStatus(em.fork(), userId, {
        documentId: id,
        status: 'stored',
        receivedBytes: stored.size,
        totalBytes: stored.size,
      });
      try {
        await markReady(
          document,
          { objectKey: stored.key, size: stored.size, sha256: hash.digest() },
          topics.map((t) => t.id),
        );
      } catch (error) {
        await blob.delete(stored.key).catch((cleanup: unknown) =>
          logger.error('orphaned object after a failed commit', {
            key: stored.key,
            error: String(cleanup),
          }),
        );
        await markFailed(id, 'the document could not be committed', stored.size, stored.size).catch(() => {});
        throw error;
      }
      return documentView(
        document,
        topics.map((topic) => topic.name),
      );
    },

    /** Direct: a `pending` document and a presigned PUT straight to S3. */
    async createUpload(input: ResolvedUploadMeta & { size: number }): Promise<CreatedUpload> {
      checkSize(input.size, deps.maxUploadBytes);
      const topics = await topicsNamed(em, userId, input.topics);
      const id = randomUUID();
      const presigned = await blob.presignPut(
        { userId, documentId: id, name: input.name, mimeType: input.mimeType },
        deps.uploadTtlSeconds,
      );
      const document = await createPending({
        id,
        meta: input,
        mimeType: input.mimeType,
        objectKey: presigned.key,
        topics,
        audit: (tx) =>
          recordAudit(
            tx,
            caller,
            'document.create_upload',
            { type: 'document', id },
            {
              name: input.name,
              size: input.size,
            },
          ),
      });
      return {
        document: documentView(
          document,
          topics.map((topic) => topic.name),
        ),
        uploadUrl: presigned.url,
        expiresAt: presigned.expiresAt,
      };
    },

    /** Checks what the client PUT: `ready` when the object is there with the declared size. */
    async completeUpload(id: string): Promise<DocumentView> {
      const document = await em.findOne(Document, { id, userId }, { populate: ['topics'] });
      if (!document) throw new DocstoreError('NOT_FOUND', `document ${id} not found`);
      if (document.status === 'ready') return documentView(document);
      if (document.status === 'failed') {
        throw new DocstoreError(
          'CONFLICT',
          `upload ${id} failed: ${document.failureReason ?? 'unknown reason'}`,
        );
      }
      const key = document.objectKey;
      if (!key) throw new DocstoreError('CONFLICT', `document ${id} is being uploaded through the service`);
      let object: Awaited<ReturnType<BlobGateway['stat']>>;
      try {
        object = await blob.stat(key);
      } catch (error) {
        if (!(error instanceof DocstoreError && error.code === 'NOT_FOUND')) throw error;
        await markFailed(id, 'no object was uploaded', 0, document.size);
        await em.refresh(document);
        return documentView(document);
      }
      if (object.size !== document.size) {
        await blob.delete(key);
        await markFailed(
          id,
          `uploaded ${object.size} bytes, declared ${document.size}`,
          object.size,
          document.size,
        );
        await em.refresh(document);
        return documentView(document);
      }
      await recordStatus(em.fork(), userId, {
        documentId: id,
        status: 'stored',
        receivedBytes: object.size,
        totalBytes: document.size,
      });
      await markReady(document, {}, document.topics.getIdentifiers() as string[]);
      return documentView(document);
    },
  };
}
