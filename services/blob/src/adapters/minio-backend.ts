import { PassThrough, Readable } from 'node:stream';
import { DocstoreError } from '@docstore/contract';
import { withTimeout } from '@docstore/server-kit';
import { Client } from 'minio';
import { createDeadlineAgent } from './deadline-agent.ts';
import { listObjectsPage } from './minio-list.ts';
import { s3ErrorCode, translateS3Error } from './s3-errors.ts';
import { readText, signedRequest } from './signed-request.ts';
import type { ObjectInfo, StorageBackend, StorageConfig } from './storage-backend.ts';
import { readHead, replayHead } from './stream-head.ts';

/** S3's limit for a single PUT; larger sized bodies go multipart. */
const MAX_SINGLE_PUT_BYTES = 5 * 1024 ** 3;
/** Internal URLs live only for the one request that uses them. */
const INTERNAL_URL_EXPIRY_SECONDS = 15 * 60;

/**
 * Part size of unsized (multipart) puts. The SDK holds one part in memory per upload; its default grows
 * parts to ~0.5 GiB for a stream of unknown length. 16 MiB parts allow objects up to 160 GB.
 */
const MULTIPART_PART_BYTES = 16 * 1024 * 1024;

function clientFor(endpoint: string, config: StorageConfig, agent?: import('node:http').Agent): Client {
  const url = new URL(endpoint);
  const useSSL = url.protocol === 'https:';
  return new Client({
    ...(agent ? { transportAgent: agent } : {}),
    endPoint: url.hostname,
    port: url.port ? Number(url.port) : useSSL ? 443 : 80,
    useSSL,
    accessKey: config.S3_ACCESS_KEY,
    secretKey: config.S3_SECRET_KEY,
    // A set region keeps presigning local: no region lookup request per URL.
    region: config.S3_REGION,
    pathStyle: true,
    partSize: MULTIPART_PART_BYTES,
  });
}

/**
 * The SDK pipes a stream into its part chunker without listening for the stream's errors, so a body
 * that fails would leave its upload hanging for good. Hand it a relay that ends instead; the caller
 * sees the body's error and removes what the SDK completed.
 */
function endOnError(body: Readable): Readable {
  const relay = new PassThrough();
  body.once('error', () => relay.end());
  return body.pipe(relay);
}

async function failedResponse(
  response: import('node:http').IncomingMessage,
  key: string,
): Promise<DocstoreError> {
  const code = s3ErrorCode(await readText(response)) ?? `HTTP ${response.statusCode}`;
  const cause = Object.assign(new Error(`S3 answered ${response.statusCode} ${code}`), { code });
  if ((response.statusCode ?? 0) >= 500) {
    return new DocstoreError('SERVICE_UNAVAILABLE', 'object storage (S3) is unavailable', { cause });
  }
  return translateS3Error(cause, key);
}

/** The MinIO SDK (any S3 server) behind `StorageBackend`. */
export function createMinioBackend(config: StorageConfig): StorageBackend {
  const bucket = config.S3_BUCKET;
  const timeouts = { connectMs: config.S3_CONNECT_TIMEOUT_MS, idleMs: config.S3_IDLE_TIMEOUT_MS };
  const agent = createDeadlineAgent(new URL(config.S3_ENDPOINT).protocol === 'https:', timeouts);
  const internal = clientFor(config.S3_ENDPOINT, config, agent);
  const publicClient = config.S3_PUBLIC_ENDPOINT ? clientFor(config.S3_PUBLIC_ENDPOINT, config) : internal;

  const guard = async <T>(key: string | undefined, operation: () => Promise<T>): Promise<T> => {
    try {
      return await operation();
    } catch (error) {
      throw translateS3Error(error, key);
    }
  };

  const stat = (key: string): Promise<ObjectInfo> =>
    guard(key, async () => {
      const item = await internal.statObject(bucket, key);
      return {
        size: item.size,
        etag: item.etag,
        lastModified: item.lastModified,
        contentType: String(item.metaData['content-type'] ?? 'application/octet-stream'),
      };
    });

  /** One streaming PUT of a presigned URL: the fastest way in (STACK.md), nothing buffered. */
  const putInOneRequest = async (key: string, body: Readable, size: number, contentType: string) => {
    const url = await guard(key, () => internal.presignedPutObject(bucket, key, INTERNAL_URL_EXPIRY_SECONDS));
    const response = await guard(key, () =>
      signedRequest('PUT', url, {
        agent,
        body,
        headers: { 'content-length': size, 'content-type': contentType },
      }),
    );
    if (response.statusCode !== 200) throw await failedResponse(response, key);
    response.resume();
    return { etag: String(response.headers.etag ?? '').replaceAll('"', '') };
  };

  return {
    bucket,

    ensureBucket: () =>
      guard(undefined, async () => {
        if (await internal.bucketExists(bucket)) return;
        await internal.makeBucket(bucket, config.S3_REGION).catch((error: unknown) => {
          const code = (error as { code?: string }).code;
          if (code !== 'BucketAlreadyOwnedByYou' && code !== 'BucketAlreadyExists') throw error;
        });
      }),

    async put(key, body, options) {
      if (options.size !== undefined && options.size <= MAX_SINGLE_PUT_BYTES) {
        return putInOneRequest(key, body, options.size, options.contentType);
      }
      // Unknown length: a body that ends within one part goes in one PUT (a multipart upload of 0
      // bytes is not even valid S3); a longer one becomes the SDK's multipart upload.
      const head = options.size === undefined ? await readHead(body, MULTIPART_PART_BYTES) : null;
      if (head?.ended)
        return putInOneRequest(key, Readable.from(head.chunks), head.size, options.contentType);
      const source = head ? replayHead(head, body) : body;
      return guard(key, async () => {
        const uploaded = await internal.putObject(bucket, key, endOnError(source), options.size, {
          'Content-Type': options.contentType,
        });
        return { etag: uploaded.etag };
      });
    },

    async get(key, signal) {
      const url = await guard(key, () =>
        internal.presignedGetObject(bucket, key, INTERNAL_URL_EXPIRY_SECONDS),
      );
      const response = await guard(key, () => signedRequest('GET', url, { agent, signal }));
      if (response.statusCode !== 200) throw await failedResponse(response, key);
      const headers = response.headers;
      return {
        body: response as Readable,
        info: {
          size: Number(headers['content-length'] ?? 0),
          contentType: headers['content-type'] ?? 'application/octet-stream',
          etag: String(headers.etag ?? '').replaceAll('"', ''),
          lastModified: new Date(headers['last-modified'] ?? Date.now()),
        },
      };
    },

    stat,

    delete: (key) => guard(key, () => internal.removeObject(bucket, key)),

    presignGet: (key, expiresInSeconds, responseHeaders) =>
      guard(key, () => publicClient.presignedGetObject(bucket, key, expiresInSeconds, responseHeaders)),

    presignPut: (key, expiresInSeconds, internalUse) =>
      guard(key, () =>
        (internalUse ? internal : publicClient).presignedPutObject(bucket, key, expiresInSeconds),
      ),

    list: (prefix, continuationToken, limit) =>
      guard(undefined, () => listObjectsPage(internal, bucket, prefix, continuationToken, limit)),

    async ping(timeoutMs) {
      const exists = await withTimeout(
        guard(undefined, () => internal.bucketExists(bucket)),
        timeoutMs,
        () => {
          throw new DocstoreError('SERVICE_UNAVAILABLE', `S3 did not answer in ${timeoutMs} ms`);
        },
      );
      if (!exists) throw new DocstoreError('SERVICE_UNAVAILABLE', `bucket ${bucket} does not exist`);
    },
  };
}
