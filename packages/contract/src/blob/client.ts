import { createTRPCClient, httpLink, type TRPCClient } from '@trpc/client';
import { DocstoreError } from '../errors.ts';
import { encodeHeaderJson } from '../header-json.ts';
import { streamingFetch } from '../streaming-fetch.ts';
import { BLOB_OBJECTS_PATH, type BlobRouter, PUT_META_HEADER } from './router.ts';
import type { PutObjectMeta, StoredObject } from './schemas.ts';

export type BlobClient = TRPCClient<BlobRouter>;

const PUT_META_CONTEXT = 'docstorePutMeta';

export interface BlobClientOptions {
  /** The blob service's base URL, e.g. http://127.0.0.1:4001 (tRPC is at /trpc). */
  url: string;
  /** The service credential (BLOB_SERVICE_TOKEN), sent as a bearer token with every call. */
  token?: string;
  /** The id of the request a call is made for, sent as `x-request-id` so both services log it. */
  requestId?: () => string | undefined;
  /** The fetch calls go through (a Node caller adds its deadlines here); `streamingFetch` by default. */
  fetch?: typeof streamingFetch;
}

function authHeaders(options: BlobClientOptions): Record<string, string> {
  const requestId = options.requestId?.();
  return {
    ...(options.token ? { authorization: `Bearer ${options.token}` } : {}),
    ...(requestId ? { 'x-request-id': requestId } : {}),
  };
}

/** The typed blob client. Binary puts go through `putObject`, which streams. */
export function createBlobClient(options: BlobClientOptions): BlobClient {
  return createTRPCClient<BlobRouter>({
    links: [
      httpLink({
        url: new URL('/trpc', options.url).href,
        fetch: options.fetch ?? streamingFetch,
        headers({ op }) {
          const meta = op.context[PUT_META_CONTEXT] as PutObjectMeta | undefined;
          return meta
            ? { ...authHeaders(options), [PUT_META_HEADER]: encodeHeaderJson(meta) }
            : authHeaders(options);
        },
      }),
    ],
  });
}

/** Streams `body` into a new object; pass a `StreamBody` to send a stream without buffering it. */
export function putObject(
  client: BlobClient,
  meta: PutObjectMeta,
  body: Blob | Uint8Array,
  signal?: AbortSignal,
): Promise<StoredObject> {
  return client.objects.put.mutate(body, { context: { [PUT_META_CONTEXT]: meta }, signal });
}

/** Opens an object as a stream from the blob service's plain HTTP route. */
export async function fetchObject(
  options: BlobClientOptions,
  key: string,
  signal?: AbortSignal,
): Promise<Response> {
  const response = await (options.fetch ?? streamingFetch)(new URL(BLOB_OBJECTS_PATH + key, options.url), {
    headers: authHeaders(options),
    signal,
  }).catch((cause: unknown) => {
    throw new DocstoreError('SERVICE_UNAVAILABLE', 'blob service is unreachable', { cause });
  });
  if (response.ok) return response;
  await response.body?.cancel();
  if (response.status === 404) throw new DocstoreError('NOT_FOUND', `object ${key} not found`);
  if (response.status === 400) throw new DocstoreError('INVALID_INPUT', `not an object key: ${key}`);
  if (response.status === 401)
    throw new DocstoreError('UNAUTHORIZED', 'the blob service refused the credential');
  throw new DocstoreError('SERVICE_UNAVAILABLE', `blob service answered ${response.status}`);
}
