import type { IncomingMessage } from 'node:http';
import { setTimeout as sleep } from 'node:timers/promises';

/** The part of s3rver's store this needs. */
export interface ObjectStore {
  deleteObject(bucket: string, key: string): Promise<unknown>;
}

/** Long enough for s3rver's write stream to flush what it had when the client went away. */
const FLUSH_MS = 50;

/** Bucket and key of a plain PutObject (`PUT /<bucket>/<key>`, not a multipart part), else undefined. */
export function putObjectTarget(req: IncomingMessage): { bucket: string; key: string } | undefined {
  if (req.method !== 'PUT' || req.url === undefined) return undefined;
  const url = new URL(req.url, 'http://s3.invalid');
  if (url.searchParams.has('uploadId') || req.headers['x-amz-copy-source'] !== undefined) return undefined;
  const match = /^\/([^/]+)\/(.+)$/.exec(url.pathname);
  if (!match?.[1] || !match[2]) return undefined;
  return { bucket: decodeURIComponent(match[1]), key: decodeURIComponent(match[2]) };
}

/**
 * s3rver keeps whatever arrived of a PUT whose client went away, as a listable object (and never
 * finishes that request). Real S3 and MinIO store nothing when the body is shorter than its
 * Content-Length, so the embedded server removes the remains to behave like them.
 */
export function discardIfAborted(
  req: IncomingMessage,
  store: ObjectStore,
  target: { bucket: string; key: string },
): void {
  req.once('close', () => {
    if (req.complete) return;
    void sleep(FLUSH_MS)
      .then(() => store.deleteObject(target.bucket, target.key))
      .catch(() => {});
  });
}
