import {
  type BlobClient,
  createBlobClient,
  type PresignedPut,
  type PresignedUrl,
  putObject,
  type StoredObject,
  StreamBody,
  streamingFetch,
  toDocstoreError,
} from '@docstore/contract';
import { currentRequestId } from '@docstore/server-kit';
import { Agent } from 'undici';

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
  presignPut(
    meta: { userId: string; documentId: string; name: string; mimeType: string; key?: string },
    expiresInSeconds: number,
  ): Promise<PresignedPut>;
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
    presignPut: (meta, expiresInSeconds) =>
      call(() => client.objects.presignPut.mutate({ ...meta, expiresInSeconds })),
    presignGet: (key, downloadName, expiresInSeconds) =>
      call(() => client.objects.presignGet.mutate({ key, downloadName, expiresInSeconds })),
    healthy: () =>
      client.health.query().then(
        (health) => health.ok,
        () => false,
      ),
  };
}
