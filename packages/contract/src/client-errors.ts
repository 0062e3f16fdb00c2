import { TRPCClientError } from '@trpc/client';
import { DocstoreError, isErrorCode } from './errors.ts';

/**
 * Turns what a typed client threw into the domain error it stands for, so that errors crossing a
 * service boundary keep their code. A server that cannot be reached is SERVICE_UNAVAILABLE.
 */
export function toDocstoreError(error: unknown, service: string): DocstoreError {
  if (error instanceof DocstoreError) return error;
  if (error instanceof TRPCClientError) {
    const data: unknown = error.data;
    const appCode =
      typeof data === 'object' && data !== null && 'appCode' in data
        ? (data as { appCode: unknown }).appCode
        : null;
    if (isErrorCode(appCode)) return new DocstoreError(appCode, error.message, { cause: error });
    return new DocstoreError('SERVICE_UNAVAILABLE', `${service} is unreachable`, { cause: error });
  }
  return new DocstoreError('INTERNAL', `${service} call failed`, { cause: error });
}
