import { type BlobClient, createBlobClient, DocstoreError, toDocstoreError } from '@docstore/contract';
import type { BucketLister } from '../domain/reconciler/ports.ts';

const SERVICE = 'blob service';
/** Keys per `objects.list` page: S3's largest page. */
const PAGE = 1_000;
/** Each call's deadline: a frozen blob service or S3 fails the run instead of hanging it. */
const DEFAULT_CALL_TIMEOUT_MS = 30_000;

/**
 * The bucket as the reconciler reads it, through the blob service (the metadata service never talks
 * to S3 itself). Also what the operator command uses, with the same service credential.
 */
export function createBlobBucketLister(options: {
  url: string;
  token: string;
  callTimeoutMs?: number;
}): BucketLister & {
  remove(key: string): Promise<void>;
} {
  const client: BlobClient = createBlobClient(options);
  const timeoutMs = options.callTimeoutMs ?? DEFAULT_CALL_TIMEOUT_MS;
  const call = async <T>(operation: (signal: AbortSignal) => Promise<T>): Promise<T> => {
    try {
      return await operation(AbortSignal.timeout(timeoutMs));
    } catch (error) {
      throw toDocstoreError(error, SERVICE);
    }
  };
  return {
    async list(continuationToken) {
      const page = await call((signal) =>
        client.objects.list.query({ continuationToken, limit: PAGE }, { signal }),
      );
      return {
        items: page.items.map((item) => ({
          key: item.key,
          size: item.size,
          lastModified: new Date(item.lastModified),
        })),
        nextContinuationToken: page.nextContinuationToken,
      };
    },
    async exists(key) {
      try {
        await call((signal) => client.objects.stat.query({ key }, { signal }));
        return true;
      } catch (error) {
        if (error instanceof DocstoreError && error.code === 'NOT_FOUND') return false;
        throw error;
      }
    },
    remove: (key) => call(async (signal) => void (await client.objects.delete.mutate({ key }, { signal }))),
  };
}
