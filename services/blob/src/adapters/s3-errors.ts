import { DocstoreError } from '@docstore/contract';

const NETWORK_ERRORS = new Set([
  'ECONNREFUSED',
  'ECONNRESET',
  'ETIMEDOUT',
  'EHOSTUNREACH',
  'ENETUNREACH',
  'ENOTFOUND',
  'EAI_AGAIN',
  'EPIPE',
  'UND_ERR_SOCKET',
  'UND_ERR_CONNECT_TIMEOUT',
]);
const MISSING_OBJECT = new Set(['NoSuchKey', 'NotFound', 'NoSuchObject']);

/** Error codes S3 (or the network) answer with, mapped once to domain errors, keeping the cause. */
export function translateS3Error(error: unknown, key?: string): DocstoreError {
  if (error instanceof DocstoreError) return error;
  const code = (error as { code?: unknown }).code;
  if (typeof code === 'string' && MISSING_OBJECT.has(code)) {
    return new DocstoreError('NOT_FOUND', `object ${key ?? ''} not found`.trim(), { cause: error });
  }
  if (
    (typeof code === 'string' && NETWORK_ERRORS.has(code)) ||
    code === 'NoSuchBucket' ||
    isSocketHangUp(error)
  ) {
    return new DocstoreError('SERVICE_UNAVAILABLE', 'object storage (S3) is unavailable', { cause: error });
  }
  return new DocstoreError('INTERNAL', 'object storage (S3) request failed', { cause: error });
}

function isSocketHangUp(error: unknown): boolean {
  return error instanceof Error && /socket hang up|other side closed/i.test(error.message);
}

/** Reads an S3 XML error body's `<Code>`. */
export function s3ErrorCode(xml: string): string | undefined {
  return /<Code>([^<]+)<\/Code>/.exec(xml)?.[1];
}
