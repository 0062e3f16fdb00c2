import {
  createTRPCClient,
  httpBatchLink,
  httpLink,
  isNonJsonSerializable,
  splitLink,
  type TRPCClient,
} from '@trpc/client';
import { encodeHeaderJson } from '../header-json.ts';
import { StreamBody, streamingFetch } from '../streaming-fetch.ts';
import { type MetadataRouter, UPLOAD_META_HEADER } from './router.ts';
import type { DocumentView, UploadMeta } from './schemas.ts';

export type MetadataClient = TRPCClient<MetadataRouter>;

const UPLOAD_META_CONTEXT = 'docstoreUploadMeta';

export interface MetadataClientOptions {
  /** The metadata service's base URL, e.g. http://127.0.0.1:4000 (tRPC is at /trpc). */
  url: string;
  /** Sent with every call (e.g. `authorization`). */
  headers?: Record<string, string>;
}

/**
 * The typed docstore client: binary uploads go in their own streaming request, everything else is
 * batched.
 */
export function createMetadataClient(options: MetadataClientOptions): MetadataClient {
  const url = new URL('/trpc', options.url).href;
  return createTRPCClient<MetadataRouter>({
    links: [
      splitLink({
        condition: (op) => isNonJsonSerializable(op.input),
        true: httpLink({
          url,
          fetch: streamingFetch,
          headers({ op }) {
            const meta = op.context[UPLOAD_META_CONTEXT] as UploadMeta | undefined;
            return meta
              ? { ...options.headers, [UPLOAD_META_HEADER]: encodeHeaderJson(meta) }
              : { ...options.headers };
          },
        }),
        false: httpBatchLink({ url, fetch: streamingFetch, headers: () => ({ ...options.headers }) }),
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
