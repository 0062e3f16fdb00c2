import {
  type BlobClient,
  createBlobClient,
  type PresignedPut,
  type PresignedUrl,
  putObject,
  type StoredObject,
  StreamBody,
  toDocstoreError,
} from '@docstore/contract';

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

export function createBlobGateway(options: { url: string; token: string }): BlobGateway {
  const client: BlobClient = createBlobClient(options);
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
