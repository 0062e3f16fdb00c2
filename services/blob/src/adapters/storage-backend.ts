import type { Readable } from 'node:stream';
import type { BlobConfig } from '../env.ts';
import { createMinioBackend } from './minio-backend.ts';

export interface ObjectInfo {
  size: number;
  contentType: string;
  etag: string;
  lastModified: Date;
}

/** One page of a listing, in key order; `nextContinuationToken` is null on the last page. */
export interface ListPage {
  items: Array<{ key: string; size: number; lastModified: Date }>;
  nextContinuationToken: string | null;
}

export interface PutOptions {
  contentType: string;
  /** Known byte length: the body goes in one streaming PUT. Unknown: a multipart upload. */
  size?: number;
}

/**
 * Object storage as the blob service needs it. Every method throws `DocstoreError`: NOT_FOUND for a
 * missing object, SERVICE_UNAVAILABLE when S3 does not answer; the SDK's error is kept as `cause`.
 */
export interface StorageBackend {
  readonly bucket: string;
  /** Creates the bucket when it is missing. */
  ensureBucket(): Promise<void>;
  put(key: string, body: Readable, options: PutOptions): Promise<{ etag: string }>;
  get(key: string, signal?: AbortSignal): Promise<{ body: Readable; info: ObjectInfo }>;
  stat(key: string): Promise<ObjectInfo>;
  /** Idempotent: a missing key is not an error. */
  delete(key: string): Promise<void>;
  /** Signed for the public endpoint, so that clients outside the service's network can use it. */
  presignGet(key: string, expiresInSeconds: number, responseHeaders: Record<string, string>): Promise<string>;
  /** For browsers and clients (S3_PUBLIC_ENDPOINT when set); `internal`: for the services (S3_ENDPOINT). */
  presignPut(key: string, expiresInSeconds: number, internal: boolean): Promise<string>;
  /** One page of at most `limit` (<= 1000) objects whose keys start with `prefix`. */
  list(prefix: string, continuationToken: string | undefined, limit: number): Promise<ListPage>;
  /** Resolves when the bucket answers; throws SERVICE_UNAVAILABLE otherwise. */
  ping(timeoutMs: number): Promise<void>;
}

export type StorageConfig = Pick<
  BlobConfig,
  | 'S3_ENDPOINT'
  | 'S3_PUBLIC_ENDPOINT'
  | 'S3_ACCESS_KEY'
  | 'S3_SECRET_KEY'
  | 'S3_BUCKET'
  | 'S3_REGION'
  | 'S3_CONNECT_TIMEOUT_MS'
  | 'S3_IDLE_TIMEOUT_MS'
>;

export function createStorageBackend(config: StorageConfig): StorageBackend {
  return createMinioBackend(config);
}
