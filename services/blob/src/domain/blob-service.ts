import { pipeline, Readable } from 'node:stream';
import type { ReadableStream as NodeReadableStream } from 'node:stream/web';
import { type BlobApi, DocstoreError, type StoredObject } from '@docstore/contract';
import type { Logger } from '@docstore/server-kit';
import type { ObjectInfo, StorageBackend } from '../adapters/storage-backend.ts';
import { createByteLimit } from './byte-limit.ts';
import { attachmentDisposition } from './content-disposition.ts';
import { acceptReservedKey, generateObjectKey } from './object-keys.ts';

const DEFAULT_CONTENT_TYPE = 'application/octet-stream';
const HEALTH_TIMEOUT_MS = 2_000;
/** Bytes each stage of a put may hold: enough that hops overlap, bounded per upload. */
const STREAM_BUFFER_BYTES = 1024 * 1024;

export interface BlobServiceOptions {
  storage: StorageBackend;
  maxUploadBytes: number;
  logger: Logger;
}

function toStoredObject(key: string, info: ObjectInfo): StoredObject {
  return {
    key,
    size: info.size,
    contentType: info.contentType,
    etag: info.etag,
    lastModified: info.lastModified.toISOString(),
  };
}

function expiresAt(expiresInSeconds: number): string {
  return new Date(Date.now() + expiresInSeconds * 1000).toISOString();
}

/** The blob service's domain: keys, limits and clean-up around a storage backend. */
export function createBlobService({ storage, maxUploadBytes, logger }: BlobServiceOptions): BlobApi {
  const removeQuietly = (key: string) =>
    storage
      .delete(key)
      .catch((error: unknown) =>
        logger.warn('could not remove a failed upload', { key, error: String(error) }),
      );

  /** The caller's reserved key when it sent one (checked), else a new one. */
  const keyFor = (meta: {
    key?: string;
    userId: string;
    documentId: string;
    name: string;
    mimeType?: string;
  }) =>
    meta.key === undefined
      ? generateObjectKey(meta.userId, meta.documentId, meta.name, meta.mimeType)
      : acceptReservedKey(meta.key, meta.userId, meta.documentId);

  return {
    async reserveKey({ userId, documentId, name, mimeType }) {
      return { key: generateObjectKey(userId, documentId, name, mimeType) };
    },

    async put(meta, body, signal) {
      if (meta.size !== undefined && meta.size > maxUploadBytes) {
        await body.cancel().catch(() => {});
        throw new DocstoreError(
          'PAYLOAD_TOO_LARGE',
          `declared size ${meta.size} is over the limit of ${maxUploadBytes} bytes`,
        );
      }
      let key: string;
      try {
        key = keyFor(meta);
      } catch (error) {
        await body.cancel().catch(() => {});
        throw error;
      }
      const contentType = meta.mimeType ?? DEFAULT_CONTENT_TYPE;
      const limit = createByteLimit(maxUploadBytes, meta.size, STREAM_BUFFER_BYTES);
      // pipeline() owns the error handling of both streams; the first error is the one that counts
      // (the limit's PAYLOAD_TOO_LARGE, not the storage call's reaction to a broken stream).
      let bodyError: unknown;
      const source = pipeline(
        Readable.fromWeb(body as NodeReadableStream<Uint8Array>, {
          signal,
          highWaterMark: STREAM_BUFFER_BYTES,
        }),
        limit,
        (error) => {
          bodyError = error;
        },
      );
      try {
        const { etag } = await storage.put(key, source, { contentType, size: meta.size });
        // A multipart put completes with what it had when the body failed: that object must go.
        if (bodyError) throw bodyError;
        return { key, size: limit.count, contentType, etag, lastModified: new Date().toISOString() };
      } catch (error) {
        source.destroy();
        // Nothing half-written may stay behind: S3 may have kept a part, or a whole sized object.
        await removeQuietly(key);
        if (bodyError instanceof DocstoreError) throw bodyError;
        if (signal.aborted)
          throw new DocstoreError('INVALID_INPUT', 'the client aborted the upload', { cause: error });
        throw error;
      }
    },

    async stat({ key }) {
      return toStoredObject(key, await storage.stat(key));
    },

    async delete({ key }) {
      const existed = await storage.stat(key).then(
        () => true,
        (error: unknown) => {
          if (error instanceof DocstoreError && error.code === 'NOT_FOUND') return false;
          throw error;
        },
      );
      await storage.delete(key);
      return { key, existed };
    },

    async presignGet({ key, expiresInSeconds, downloadName, contentType }) {
      // Stat first: a URL for a missing object is NOT_FOUND now, not a 404 in the user's browser later.
      const info = await storage.stat(key);
      const responseHeaders: Record<string, string> = {
        'response-content-type': contentType ?? info.contentType,
      };
      if (downloadName !== undefined)
        responseHeaders['response-content-disposition'] = attachmentDisposition(downloadName);
      return {
        url: await storage.presignGet(key, expiresInSeconds, responseHeaders),
        expiresAt: expiresAt(expiresInSeconds),
      };
    },

    async presignPut(input) {
      const key = keyFor(input);
      const { expiresInSeconds } = input;
      return {
        key,
        url: await storage.presignPut(key, expiresInSeconds, input.internal),
        expiresAt: expiresAt(expiresInSeconds),
      };
    },

    async list({ prefix, continuationToken, limit }) {
      const page = await storage.list(prefix ?? '', continuationToken, limit);
      return {
        items: page.items.map((item) => ({
          key: item.key,
          size: item.size,
          lastModified: item.lastModified.toISOString(),
        })),
        nextContinuationToken: page.nextContinuationToken,
      };
    },

    async health() {
      const started = performance.now();
      const ok = await storage.ping(HEALTH_TIMEOUT_MS).then(
        () => true,
        () => false,
      );
      return { ok, bucket: storage.bucket, latencyMs: Math.round((performance.now() - started) * 10) / 10 };
    },
  };
}
