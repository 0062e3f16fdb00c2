import type { EventEmitter } from 'node:events';
import { DocstoreError } from '@docstore/contract';
import type { Client } from 'minio';
import type { ListPage } from './storage-backend.ts';

/** What the SDK's one-page ListObjects (v1) call emits (see `listObjectsQuery` in minio.js). */
interface V1Result {
  objects: Array<{ name?: string; prefix?: string; size?: number; lastModified?: Date }>;
  isTruncated: boolean;
}

const TOKEN_PREFIX = 'k1.';

/** The continuation token is the page's last key, opaque to callers (base64url, versioned). */
function tokenFor(lastKey: string): string {
  return TOKEN_PREFIX + Buffer.from(lastKey, 'utf8').toString('base64url');
}

function markerOf(token: string): string {
  const marker = token.startsWith(TOKEN_PREFIX)
    ? Buffer.from(token.slice(TOKEN_PREFIX.length), 'base64url').toString('utf8')
    : '';
  if (marker === '') throw new DocstoreError('INVALID_INPUT', 'not a continuation token of objects.list');
  return marker;
}

/**
 * One page of ListObjects. Paging is by `marker` (the last key seen), which every S3 server
 * supports: ListObjectsV2's continuation tokens would tie a token to the server, and s3rver 3.7.1
 * makes them with DES, which Node's OpenSSL 3 refuses (every truncated V2 listing answers 500).
 * The SDK's public listing walks every page into one stream and cannot resume, so the one-page
 * `listObjectsQuery` (untyped in the SDK's declarations, present in minio 8.0) is used.
 */
export function listObjectsPage(
  client: Client,
  bucket: string,
  prefix: string,
  continuationToken: string | undefined,
  limit: number,
): Promise<ListPage> {
  const marker = continuationToken === undefined ? '' : markerOf(continuationToken);
  const query = (client as unknown as { listObjectsQuery: (...args: unknown[]) => EventEmitter })
    .listObjectsQuery;
  return new Promise<ListPage>((resolve, reject) => {
    const stream = query.call(client, bucket, prefix, marker, { Delimiter: '', MaxKeys: limit });
    stream.once('error', reject);
    stream.once('data', (result: V1Result) => {
      const items = result.objects.flatMap((object) =>
        object.name === undefined || object.name === ''
          ? []
          : [{ key: object.name, size: object.size ?? 0, lastModified: object.lastModified ?? new Date(0) }],
      );
      const last = items.at(-1);
      resolve({
        items,
        nextContinuationToken: result.isTruncated && last !== undefined ? tokenFor(last.key) : null,
      });
    });
  });
}
