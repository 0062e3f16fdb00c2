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
import { currentRequestId } from '@docstore/server-kit';

const SERVICE = 'blob service';

/** The metadata service's view of the blob service: the typed client, with errors kept typed. */
export interface BlobGateway {
  put(
    meta: { userId: string; documentId: string; name: string; mimeType: string; size?: number },
    body: ReadableStream<Uint8Array>,
    signal?: AbortSignal,
  ): Promise<StoredObject>;
  delete(key: string): Promise<void>;
  stat(key: string): Promise<StoredObject>;
  presignPut(
    meta: { userId: string; documentId: string; name: string; mimeType: string },
    expiresInSeconds: number,
  ): Promise<PresignedPut>;
  presignGet(key: string, downloadName: string, expiresInSeconds?: number): Promise<PresignedUrl>;
  /** True when the blob service answers and its bucket is ready; never throws. */
  healthy(): Promise<boolean>;
}

export function createBlobGateway(options: { url: string; token: string }): BlobGateway {
  const client: BlobClient = createBlobClient({ ...options, requestId: currentRequestId });
  const call = async <T>(operation: () => Promise<T>): Promise<T> => {
    try {
      return await operation();
    } catch (error) {
      throw toDocstoreError(error, SERVICE);
    }
  };
  return {
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
