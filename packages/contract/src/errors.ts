import { TRPCError } from '@trpc/server';
import type { TRPC_ERROR_CODE_KEY } from '@trpc/server/rpc';

/**
 * The one table of docstore error codes. Each domain error carries one of these; each maps to exactly
 * one tRPC code (and so one HTTP status). Clients branch on `error.data.appCode`.
 */
export const ERROR_CODES = {
  NOT_FOUND: 'NOT_FOUND',
  INVALID_INPUT: 'BAD_REQUEST',
  CONFLICT: 'CONFLICT',
  PAYLOAD_TOO_LARGE: 'PAYLOAD_TOO_LARGE',
  UNAUTHORIZED: 'UNAUTHORIZED',
  /** A dependency (S3, PostgreSQL, the blob service) does not answer; the message names it. */
  SERVICE_UNAVAILABLE: 'SERVICE_UNAVAILABLE',
  INTERNAL: 'INTERNAL_SERVER_ERROR',
} as const satisfies Record<string, TRPC_ERROR_CODE_KEY>;

export type ErrorCode = keyof typeof ERROR_CODES;

export function isErrorCode(value: unknown): value is ErrorCode {
  return typeof value === 'string' && Object.hasOwn(ERROR_CODES, value);
}

/** A failure the domain expects and can name; anything else is INTERNAL. */
export class DocstoreError extends Error {
  override readonly name = 'DocstoreError';
  constructor(
    readonly code: ErrorCode,
    message: string,
    options?: { cause?: unknown },
  ) {
    super(message, options);
  }
}

/** The one place where domain errors become tRPC errors. */
export function toTRPCError(error: DocstoreError): TRPCError {
  return new TRPCError({ code: ERROR_CODES[error.code], message: error.message, cause: error });
}

/** The app code for any error a procedure raised, domain or tRPC's own. */
export function appCodeOf(error: TRPCError): ErrorCode {
  if (error.cause instanceof DocstoreError) return error.cause.code;
  switch (error.code) {
    case 'NOT_FOUND':
      return 'NOT_FOUND';
    case 'BAD_REQUEST':
    case 'PARSE_ERROR':
    case 'UNSUPPORTED_MEDIA_TYPE':
    case 'METHOD_NOT_SUPPORTED':
      return 'INVALID_INPUT';
    case 'CONFLICT':
      return 'CONFLICT';
    case 'PAYLOAD_TOO_LARGE':
      return 'PAYLOAD_TOO_LARGE';
    case 'UNAUTHORIZED':
    case 'FORBIDDEN':
      return 'UNAUTHORIZED';
    case 'SERVICE_UNAVAILABLE':
      return 'SERVICE_UNAVAILABLE';
    default:
      return 'INTERNAL';
  }
}
