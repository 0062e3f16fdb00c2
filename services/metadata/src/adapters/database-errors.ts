import { DocstoreError, isLiveFeed, mapFeedErrors } from '@docstore/contract';
import { ConnectionException, UniqueConstraintViolationException } from '@mikro-orm/postgresql';

const UNREACHABLE = new Set([
  'ECONNREFUSED',
  'ECONNRESET',
  'ETIMEDOUT',
  'EHOSTUNREACH',
  'ENOTFOUND',
  'EPIPE',
]);

/**
 * What pg and knex throw, with no code, when the server stops answering: a connection cut mid-query,
 * the driver's query deadline, the connect deadline, no free connection in the pool in time, and
 * knex's answer to the next statement of a transaction that a deadline already ended.
 */
const UNREACHABLE_MESSAGES =
  /Connection terminated|Query read timeout|timeout expired|Timeout acquiring a connection|Client has encountered a connection error|Connection ended unexpectedly|Transaction query already complete/i;

function hasUnreachableCode(error: unknown): boolean {
  for (let cause = error; cause instanceof Error; cause = cause.cause) {
    const code = (cause as { code?: unknown }).code;
    // SQLSTATE class 08 (connection exception), 57P0x (server shutting down), 57014 (statement
    // cancelled: statement_timeout) and 25P03 (idle-in-transaction timeout).
    if (
      typeof code === 'string' &&
      (UNREACHABLE.has(code) ||
        code.startsWith('08') ||
        code.startsWith('57P0') ||
        code === '57014' ||
        code === '25P03')
    ) {
      return true;
    }
    if (cause.name === 'KnexTimeoutError' || UNREACHABLE_MESSAGES.test(cause.message)) return true;
  }
  return false;
}

/** Database failures as domain errors, once, at the adapter boundary; the driver's error stays the cause. */
export function translateDatabaseError(error: unknown): unknown {
  if (error instanceof DocstoreError) return error;
  if (error instanceof ConnectionException || hasUnreachableCode(error)) {
    return new DocstoreError('SERVICE_UNAVAILABLE', 'database (PostgreSQL) is unavailable', { cause: error });
  }
  if (error instanceof UniqueConstraintViolationException) {
    return new DocstoreError('CONFLICT', 'a record with the same unique value exists', { cause: error });
  }
  return error;
}

/** Wraps every method of an API so that what it throws (now, later, or while it streams) is translated. */
export function withDatabaseErrors<Api extends object>(api: Api): Api {
  const wrapped: Record<string, unknown> = {};
  for (const [name, member] of Object.entries(api)) {
    wrapped[name] =
      typeof member === 'function'
        ? (...args: unknown[]) => translatingDatabaseErrors(() => member(...args))
        : member;
  }
  return wrapped as Api;
}

function translatingDatabaseErrors(call: () => unknown): unknown {
  let result: unknown;
  try {
    result = call();
  } catch (error) {
    throw translateDatabaseError(error);
  }
  if (result instanceof Promise) {
    return result.catch((error: unknown) => {
      throw translateDatabaseError(error);
    });
  }
  if (isLiveFeed(result)) return mapFeedErrors(result, translateDatabaseError);
  return result;
}
