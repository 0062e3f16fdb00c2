import { TRPCClientError } from '@trpc/client';

/** The process exit codes: part of the command's public API, scripts branch on them. */
export const EXIT = {
  OK: 0,
  /** Anything else: a server error, a failed upload, a local I/O error. */
  ERROR: 1,
  /** Bad arguments: the command never talked to the server. */
  USAGE: 2,
  NOT_FOUND: 3,
  /** The server refused the input: INVALID_INPUT, CONFLICT or PAYLOAD_TOO_LARGE. */
  INVALID: 4,
  /** The docstore server could not be reached at all. */
  UNREACHABLE: 5,
  /** Interrupted by Ctrl-C (128 + SIGINT), as shells report it. */
  INTERRUPTED: 130,
} as const;

/** One of `EXIT`'s values. */
export type ExitCode = (typeof EXIT)[keyof typeof EXIT];

/** A failure the CLI can name: its one-line message (without the `docstore:` prefix) and exit code. */
export class CliError extends Error {
  override readonly name: string = 'CliError';
  constructor(
    readonly exitCode: ExitCode,
    message: string,
    options?: { cause?: unknown },
  ) {
    super(message, options);
  }
}

/** Bad arguments: exit code 2, and the message points at `--help`. */
export class UsageError extends CliError {
  override readonly name = 'UsageError';
  constructor(message: string) {
    super(EXIT.USAGE, message);
  }
}

/** Node's network error codes that mean "nobody answered there". */
const UNREACHABLE_CODES = new Set([
  'ECONNREFUSED',
  'ECONNRESET',
  'ENOTFOUND',
  'EAI_AGAIN',
  'ETIMEDOUT',
  'EHOSTUNREACH',
  'ENETUNREACH',
  'EPIPE',
  'UND_ERR_CONNECT_TIMEOUT',
  'UND_ERR_SOCKET',
  'UND_ERR_CLOSED',
]);

/** True when an error (or one of its causes) is a failure to connect, as opposed to an answer. */
export function isConnectionFailure(error: unknown): boolean {
  for (let cause = error; cause instanceof Error; cause = cause.cause) {
    const code = 'code' in cause ? cause.code : undefined;
    if (typeof code === 'string' && UNREACHABLE_CODES.has(code)) return true;
    if (cause instanceof TypeError && cause.message === 'fetch failed') return true;
  }
  return false;
}

interface ErrorData {
  appCode: string | null;
  fieldErrors: Record<string, string[]>;
}

/** What the docstore server put in `error.data`; null when the error never came from it. */
function errorDataOf(error: TRPCClientError<never>): ErrorData | null {
  const data: unknown = error.data;
  if (typeof data !== 'object' || data === null) return null;
  const appCode = 'appCode' in data && typeof data.appCode === 'string' ? data.appCode : null;
  const fieldErrors: Record<string, string[]> = {};
  const zodError = 'zodError' in data ? data.zodError : null;
  if (typeof zodError === 'object' && zodError !== null && 'fieldErrors' in zodError) {
    const fields = zodError.fieldErrors;
    if (typeof fields === 'object' && fields !== null) {
      for (const [field, messages] of Object.entries(fields)) {
        if (Array.isArray(messages)) fieldErrors[field] = messages.map(String);
      }
    }
  }
  return { appCode, fieldErrors };
}

/** `document X not found` reads better as `not found: document X`. */
function notFoundMessage(message: string): string {
  return `not found: ${message.replace(/\s+not found$/, '')}`;
}

function invalidInputMessage(message: string, fieldErrors: Record<string, string[]>): string {
  const fields = Object.entries(fieldErrors).filter(([, messages]) => messages.length > 0);
  if (fields.length === 0) return `invalid input: ${message}`;
  return `invalid input: ${fields.map(([field, messages]) => `${field}: ${messages.join(', ')}`).join('; ')}`;
}

/**
 * Turns anything a command threw into the CLI's answer: one line for stderr and an exit code.
 * `url` is the server the command talked to, named when it cannot be reached.
 */
export function describeError(error: unknown, url: string): { message: string; exitCode: ExitCode } {
  if (error instanceof CliError) return { message: error.message, exitCode: error.exitCode };
  if (error instanceof TRPCClientError) {
    const data = errorDataOf(error);
    switch (data?.appCode) {
      case 'NOT_FOUND':
        return { message: notFoundMessage(error.message), exitCode: EXIT.NOT_FOUND };
      case 'INVALID_INPUT':
        return { message: invalidInputMessage(error.message, data.fieldErrors), exitCode: EXIT.INVALID };
      case 'CONFLICT':
        return { message: `conflict: ${error.message}`, exitCode: EXIT.INVALID };
      case 'PAYLOAD_TOO_LARGE':
        return { message: `too large: ${error.message}`, exitCode: EXIT.INVALID };
      case 'UNAUTHORIZED':
        return {
          message: `unauthorized: ${error.message} (give one with --token or DOCSTORE_TOKEN)`,
          exitCode: EXIT.ERROR,
        };
      case 'SERVICE_UNAVAILABLE':
        // The typed client answers SERVICE_UNAVAILABLE with `unreachable` when nobody answered at all.
        if ((error.data as { unreachable?: unknown }).unreachable === true) {
          return { message: `cannot reach the docstore server at ${url}`, exitCode: EXIT.UNREACHABLE };
        }
        return { message: `service unavailable: ${error.message}`, exitCode: EXIT.ERROR };
      case undefined:
        // No data: the answer did not come from a docstore server, or there was no answer at all.
        if (isConnectionFailure(error)) {
          return { message: `cannot reach the docstore server at ${url}`, exitCode: EXIT.UNREACHABLE };
        }
        return { message: `unexpected answer from ${url}: ${error.message}`, exitCode: EXIT.ERROR };
      default:
        return { message: `server error: ${error.message}`, exitCode: EXIT.ERROR };
    }
  }
  if (isConnectionFailure(error)) {
    return { message: `cannot reach the docstore server at ${url}`, exitCode: EXIT.UNREACHABLE };
  }
  return { message: error instanceof Error ? error.message : String(error), exitCode: EXIT.ERROR };
}
