import { stat } from 'node:fs/promises';
import type { IncomingMessage, ServerResponse } from 'node:http';
import { join } from 'node:path';

// Bucket names as S3 accepts them; anything else is left to s3rver to reject. This also keeps
// names like `..` from reaching the file system below.
const BUCKET_NAME = /^[a-z0-9][a-z0-9.-]{1,61}[a-z0-9]$/;

/**
 * The bucket of a `GET /<bucket>?uploads` (ListMultipartUploads) request, or undefined for any
 * other request. s3rver 3.7.1 answers that request NotImplemented, and the minio SDK sends it
 * before every multipart put.
 */
export function listMultipartUploadsBucket(req: IncomingMessage): string | undefined {
  if (req.method !== 'GET' || req.url === undefined) return undefined;
  const url = new URL(req.url, 'http://s3.invalid');
  if (!url.searchParams.has('uploads')) return undefined;
  const match = /^\/([^/]+)\/?$/.exec(url.pathname);
  const bucket = match?.[1] === undefined ? undefined : decodeURIComponent(match[1]);
  return bucket !== undefined && BUCKET_NAME.test(bucket) ? bucket : undefined;
}

/**
 * Answers ListMultipartUploads with an empty, valid result: s3rver keeps no listable state of
 * unfinished uploads, and an empty list makes the minio SDK start a new upload instead of
 * resuming one (resuming would need ListParts, which s3rver lacks too).
 * A missing bucket gets NoSuchBucket, as from S3 and MinIO.
 */
export async function answerListMultipartUploads(
  dataDir: string,
  bucket: string,
  req: IncomingMessage,
  res: ServerResponse,
): Promise<void> {
  const query = new URL(req.url ?? '/', 'http://s3.invalid').searchParams;
  const exists = await stat(join(dataDir, bucket)).then(
    (s) => s.isDirectory(),
    () => false,
  );
  const body = exists
    ? xml('ListMultipartUploadsResult', {
        Bucket: bucket,
        KeyMarker: query.get('key-marker') ?? '',
        UploadIdMarker: query.get('upload-id-marker') ?? '',
        NextKeyMarker: '',
        NextUploadIdMarker: '',
        Prefix: query.get('prefix') ?? '',
        Delimiter: query.get('delimiter') ?? '',
        MaxUploads: query.get('max-uploads') ?? '1000',
        IsTruncated: 'false',
      })
    : xml('Error', {
        Code: 'NoSuchBucket',
        Message: 'The specified bucket does not exist',
        BucketName: bucket,
      });
  res.writeHead(exists ? 200 : 404, {
    'content-type': 'application/xml',
    'content-length': Buffer.byteLength(body),
  });
  // The request has no body worth reading; drain it so a keep-alive connection stays usable.
  req.resume();
  res.end(body);
}

function xml(root: string, fields: Record<string, string>): string {
  const ns = root === 'Error' ? '' : ' xmlns="http://s3.amazonaws.com/doc/2006-03-01/"';
  const children = Object.entries(fields)
    .map(([name, value]) => `<${name}>${escapeXml(value)}</${name}>`)
    .join('');
  return `<?xml version="1.0" encoding="UTF-8"?>\n<${root}${ns}>${children}</${root}>`;
}

function escapeXml(text: string): string {
  return text.replace(/[<>&'"]/g, (ch) => `&#${ch.charCodeAt(0)};`);
}
