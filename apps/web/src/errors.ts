import type { ErrorCode } from '@docstore/contract';
import { TRPCClientError } from '@trpc/client';

/** What each of the contract's error codes means to a person, before the server's own detail. */
const MEANINGS: Record<ErrorCode, string> = {
  NOT_FOUND: 'It no longer exists; it may have been deleted elsewhere.',
  INVALID_INPUT: 'That was not accepted',
  CONFLICT: 'That clashes with something that exists',
  PAYLOAD_TOO_LARGE: 'The file is larger than this docstore accepts.',
  UNAUTHORIZED: 'Your sign-in is not valid or has expired: sign in again.',
  SERVICE_UNAVAILABLE: 'Storage or the database is not answering right now. Try again in a moment.',
  INTERNAL: 'Something went wrong on the server. Try again; if it persists, tell the operator.',
};

/** Codes whose server message is written for the caller and worth showing. */
const DETAILED = new Set<ErrorCode>(['INVALID_INPUT', 'CONFLICT']);

interface ErrorData {
  appCode?: ErrorCode;
  zodError?: { formErrors: string[]; fieldErrors: Record<string, string[] | undefined> } | null;
}

export function appCode(error: unknown): ErrorCode | undefined {
  return error instanceof TRPCClientError ? (error.data as ErrorData | undefined)?.appCode : undefined;
}

/** One sentence a person understands, from whatever a call threw. */
export function describeError(error: unknown): string {
  if (error instanceof TRPCClientError) {
    const data = error.data as ErrorData | undefined;
    const code = data?.appCode;
    if (!code) return 'docstore cannot be reached. Check your connection and try again.';
    if (!DETAILED.has(code)) return MEANINGS[code];
    const fields = data.zodError
      ? [...data.zodError.formErrors, ...Object.values(data.zodError.fieldErrors).flat()].filter(Boolean)
      : [];
    const detail = fields.length > 0 ? fields.join('; ') : error.message;
    return `${MEANINGS[code]}: ${detail}`;
  }
  if (error instanceof Error && error.message) return error.message;
  return 'Something went wrong.';
}
