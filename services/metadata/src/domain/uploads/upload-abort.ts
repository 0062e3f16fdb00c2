import { DocstoreError } from '@docstore/contract';
import { abortedByShutdown, SERVER_SHUT_DOWN } from '@docstore/server-kit';

/**
 * Why an upload whose request was aborted failed (the reason its `failed` row records), and what its
 * caller is told: the server's shutdown is SERVICE_UNAVAILABLE "the server shut down" (try again,
 * elsewhere); a client that went away gets the error as it was.
 */
export function abortedUpload(signal: AbortSignal, error: unknown): { reason: string; error: unknown } {
  if (abortedByShutdown(signal)) {
    return {
      reason: SERVER_SHUT_DOWN,
      error: new DocstoreError('SERVICE_UNAVAILABLE', SERVER_SHUT_DOWN, { cause: error }),
    };
  }
  return { reason: 'the client went away mid-upload', error };
}
