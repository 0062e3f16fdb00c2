import { Readable } from 'node:stream';
import type { ReadableStream as NodeReadableStream } from 'node:stream/web';
import {
  type BlobClient,
  createBlobClient,
  DocstoreError,
  type PresignedPut,
  type PresignedUrl,
  putObject,
  type StoredObject,
  StreamBody,
  streamingFetch,
  toDocstoreError,
} from '@docstore/contract';
import { currentRequestId } from '@docstore/server-kit';
import { Agent, type Dispatcher } from 'undici';
import type { SignedPutMetrics } from '../metrics.ts';

const SERVICE = 'blob service';

/** The metadata service's view of the blob service: the typed client, with errors kept typed. */
export interface BlobGateway {
  /** A new key for a document's object, made by the blob service; nothing is written. */
  reserveKey(meta: { userId: string; documentId: string; name: string; mimeType: string }): Promise<string>;
  /** Streams into `meta.key` (one `reserveKey` made). */
  put(
    meta: { userId: string; documentId: string; name: string; mimeType: string; size?: number; key: string },
    body: ReadableStream<Uint8Array>,
    signal?: AbortSignal,
  ): Promise<StoredObject>;
  delete(key: string): Promise<void>;
  stat(key: string): Promise<StoredObject>;
  /** `internal`: signed for the S3 endpoint the services reach, for `putSigned`. */
  presignPut(
    meta: { userId: string; documentId: string; name: string; mimeType: string; key?: string },
    expiresInSeconds: number,
    internal?: boolean,
  ): Promise<PresignedPut>;
  /**
   * Streams exactly `size` bytes into S3 through a URL the blob service signed (`presignPut` with
   * `internal`), one hop instead of two, on the same deadlines as every blob call. S3 failing or
   * refusing is SERVICE_UNAVAILABLE; the body's own error (the caller's tap) rejects as that error.
   */
  putSigned(
    url: string,
    body: ReadableStream<Uint8Array>,
    meta: { size: number; mimeType: string },
    signal?: AbortSignal,
  ): Promise<void>;
  presignGet(key: string, downloadName: string, expiresInSeconds?: number): Promise<PresignedUrl>;
  /** True when the blob service answers and its bucket is ready; never throws. */
  healthy(): Promise<boolean>;
}

/** Deadlines of every call to the blob service. */
export interface BlobTimeouts {
  /** Opening a TCP connection. */
  connectMs: number;
  /**
   * Silence allowed while waiting: for the answer's headers, between chunks of an answer, and for a
   * body we stream out that the blob service stopped reading (undici refreshes this deadline on
   * every write the peer accepts, so a long upload that keeps moving never hits it).
   */
  idleMs: number;
}

export const DEFAULT_BLOB_TIMEOUTS: BlobTimeouts = { connectMs: 5_000, idleMs: 30_000 };

export function createBlobGateway(options: {
  url: string;
  token: string;
  timeouts?: Partial<BlobTimeouts>;
  signedPutMetrics?: SignedPutMetrics;
}): BlobGateway {
  const timeouts = { ...DEFAULT_BLOB_TIMEOUTS, ...options.timeouts };
  const dispatcher = new Agent({
    connect: { timeout: timeouts.connectMs },
    headersTimeout: timeouts.idleMs,
    bodyTimeout: timeouts.idleMs,
  });
  const client: BlobClient = createBlobClient({
    url: options.url,
    token: options.token,
    requestId: currentRequestId,
    // `dispatcher` is undici's extension of RequestInit, which Node's own fetch honours.
    fetch: (input, init) => streamingFetch(input, { ...init, dispatcher } as RequestInit),
  });
  const call = async <T>(operation: () => Promise<T>): Promise<T> => {
    try {
      return await operation();
    } catch (error) {
      throw toDocstoreError(error, SERVICE);
    }
  };
  return {
    reserveKey: (meta) => call(async () => (await client.objects.reserveKey.mutate(meta)).key),
    put: (meta, body, signal) => call(() => putObject(client, meta, new StreamBody(body, meta.size), signal)),
    delete: (key) => call(async () => void (await client.objects.delete.mutate({ key }))),
    stat: (key) => call(() => client.objects.stat.query({ key })),
    presignPut: (meta, expiresInSeconds, internal = false) =>
      call(() => client.objects.presignPut.mutate({ ...meta, expiresInSeconds, internal })),
    async putSigned(url, body, meta, signal) {
      const failed = (error: DocstoreError) => {
        options.signedPutMetrics?.finished('failed', 0);
        return error;
      };
      // undici's `request` with a Node stream body writes on 'data' events and waits on 'drain':
      // fetch's async iteration of a web stream was the slowest hop of the chain (issue 12).
      const target = new URL(url);
      let response: Dispatcher.ResponseData;
      try {
        response = await dispatcher.request({
          origin: target.origin,
          path: `${target.pathname}${target.search}`,
          method: 'PUT',
          body: Readable.fromWeb(body as NodeReadableStream<Uint8Array>, { highWaterMark: 1024 * 1024 }),
          headers: { 'content-type': meta.mimeType, 'content-length': String(meta.size) },
          signal,
        });
      } catch (error) {
        throw failed(
          new DocstoreError('SERVICE_UNAVAILABLE', 'object storage (S3) is unreachable', { cause: error }),
        );
      }
      if (response.statusCode === 200) {
        await response.body.dump();
        options.signedPutMetrics?.finished('stored', meta.size);
        return;
      }
      // S3's error document names the code; never pass its text (it echoes the key) to the client.
      const code = /<Code>([^<]{1,64})<\/Code>/.exec(await response.body.text().catch(() => ''))?.[1];
      throw failed(
        new DocstoreError('SERVICE_UNAVAILABLE', 'object storage (S3) did not take the upload', {
          cause: new Error(`S3 answered ${response.statusCode} ${code ?? ''}`.trim()),
        }),
      );
    },
    presignGet: (key, downloadName, expiresInSeconds) =>
      call(() => client.objects.presignGet.mutate({ key, downloadName, expiresInSeconds })),
    healthy: () =>
      client.health.query().then(
        (health) => health.ok,
        () => false,
      ),
  };
}
