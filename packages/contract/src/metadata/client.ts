import {
  createTRPCClient,
  createWSClient,
  httpBatchLink,
  httpLink,
  isNonJsonSerializable,
  splitLink,
  type TRPCClient,
  type TRPCLink,
  wsLink,
} from '@trpc/client';
import { encodeHeaderJson } from '../header-json.ts';
import { StreamBody, streamingFetch } from '../streaming-fetch.ts';
import { typedFailures } from '../typed-fetch.ts';
import { type ContractMismatchHandler, checkContractVersion } from '../version-check.ts';
import { coalescingLink } from './coalescing-link.ts';
import type { MetadataRouter } from './router.ts';
import type { DocumentView, UploadMeta } from './schemas.ts';
import { UPLOAD_META_HEADER } from './upload-header.ts';

export type MetadataClient = TRPCClient<MetadataRouter>;

const UPLOAD_META_CONTEXT = 'docstoreUploadMeta';

export interface MetadataClientOptions {
  /** The metadata service's base URL, e.g. http://127.0.0.1:4000 (tRPC is at /trpc). */
  url: string;
  /** The caller's access token (a JWT), sent as `Authorization: Bearer …`. */
  token?: string;
  /** Carries subscriptions (`documents.onStatus`); from `createStatusSocket`. */
  wsClient?: StatusSocket;
  /** When the server serves another major contract version: warn once (default), ignore, or call back once. */
  onContractMismatch?: ContractMismatchHandler;
  /**
   * Most calls sent in one batched request (default 8): several small batches keep the server
   * working on some while the client reads the answers of others. Keep it at or under the server's
   * MAX_BATCH_SIZE (default 100), or the server refuses the batch.
   */
  maxBatchItems?: number;
  /**
   * Longest URL of a batched GET (default 8000): a bigger batch is split. Node's servers refuse a
   * request line plus headers over 16 KiB with 431.
   */
  maxURLLength?: number;
}

export const DEFAULT_MAX_BATCH_ITEMS = 8;
export const DEFAULT_MAX_URL_LENGTH = 8_000;

export type StatusSocket = ReturnType<typeof createWSClient>;

export interface StatusSocketOptions {
  /** The metadata service's base URL (http: or https:); the socket goes to /trpc on the same port. */
  url: string;
  /** A WebSocket implementation; default: the global one (browsers, Node 22+). */
  WebSocket?: typeof globalThis.WebSocket;
  /** The caller's access token, sent once per connection (`connectionParams.token`). */
  token?: string;
}

/**
 * The WebSocket that carries live status. It reconnects by itself and then resumes each subscription
 * after the last event it delivered (tRPC re-sends `lastEventId`). Close it when done.
 */
export function createStatusSocket(options: StatusSocketOptions): StatusSocket {
  const url = new URL('/trpc', options.url);
  url.protocol = url.protocol === 'https:' ? 'wss:' : 'ws:';
  return createWSClient({
    url: url.href,
    WebSocket: options.WebSocket,
    connectionParams: options.token ? { token: options.token } : null,
    keepAlive: { enabled: true, intervalMs: 10_000, pongTimeoutMs: 5_000 },
  });
}

/**
 * The typed docstore client: binary uploads go in their own streaming request, a lone call in its own
 * plain request, and calls issued together in one batched request.
 */
export function createMetadataClient(options: MetadataClientOptions): MetadataClient {
  const url = new URL('/trpc', options.url).href;
  const { wsClient } = options;
  const fetch = typedFailures(
    checkContractVersion(streamingFetch, options.onContractMismatch),
    'metadata service',
  );
  const auth: Record<string, string> = options.token ? { authorization: `Bearer ${options.token}` } : {};
  const subscriptions: TRPCLink<MetadataRouter> = wsClient
    ? wsLink({ client: wsClient })
    : () => () => {
        throw new Error('subscriptions need a wsClient (createStatusSocket) in createMetadataClient');
      };
  return createTRPCClient<MetadataRouter>({
    links: [
      splitLink({
        condition: (op) => op.type === 'subscription',
        true: subscriptions,
        false: splitLink({
          condition: (op) => isNonJsonSerializable(op.input),
          true: httpLink({
            url,
            fetch,
            headers({ op }) {
              const meta = op.context[UPLOAD_META_CONTEXT] as UploadMeta | undefined;
              return meta ? { ...auth, [UPLOAD_META_HEADER]: encodeHeaderJson(meta) } : auth;
            },
          }),
          // A lone call goes straight out; only calls issued together share a batched request.
          false: coalescingLink({
            single: httpLink({ url, fetch, headers: () => auth }),
            batch: httpBatchLink({
              url,
              fetch,
              headers: () => auth,
              maxItems: options.maxBatchItems ?? DEFAULT_MAX_BATCH_ITEMS,
              maxURLLength: options.maxURLLength ?? DEFAULT_MAX_URL_LENGTH,
            }),
          }),
        }),
      }),
    ],
  });
}

/**
 * Uploads a file: `body` streams to the service (a Blob from `fs.openAsBlob` is read lazily; wrap a
 * stream in `StreamBody`). Resolves with the document once it is stored and `ready`.
 */
export function uploadDocument(
  client: MetadataClient,
  meta: UploadMeta,
  body: Blob | Uint8Array,
  signal?: AbortSignal,
): Promise<DocumentView> {
  // A known length lets the bytes go on to S3 in one streaming PUT instead of a multipart upload.
  const size =
    meta.size ??
    (body instanceof StreamBody ? body.length : body instanceof Blob ? body.size : body.byteLength);
  return client.documents.upload.mutate(body, {
    context: { [UPLOAD_META_CONTEXT]: { ...meta, size } },
    signal,
  });
}
