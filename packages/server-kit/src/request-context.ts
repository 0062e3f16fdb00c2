import { AsyncLocalStorage } from 'node:async_hooks';
import { randomUUID } from 'node:crypto';

/** The header a request id travels in: from a trusted proxy, between services, and back to the client. */
export const REQUEST_ID_HEADER = 'x-request-id';

/** What every log line and audit row of one request shares. */
export interface RequestContext {
  requestId: string;
}

const storage = new AsyncLocalStorage<RequestContext>();

/**
 * Runs `work` as part of request `requestId`: every log line written and every outbound call made
 * from inside it (however deep, across awaits and streams) carries that id, with no id threaded by hand.
 */
export function runInRequest<T>(requestId: string, work: () => T): T {
  return storage.run({ requestId }, work);
}

/** The id of the request the caller runs in, if any (a background job runs in none). */
export function currentRequestId(): string | undefined {
  return storage.getStore()?.requestId;
}

/** An id a caller may hand us: short, printable ASCII, nothing that could forge a log line. */
const ACCEPTED_ID = /^[A-Za-z0-9._:-]{1,128}$/;

/**
 * The request's id: the incoming `x-request-id` when it comes from someone we trust (a reverse proxy
 * or a peer service) and is well formed, else a fresh one. A client outside cannot choose it.
 */
export function requestIdFor(incoming: string | string[] | undefined, trusted: boolean): string {
  const value = Array.isArray(incoming) ? incoming[0] : incoming;
  return trusted && value !== undefined && ACCEPTED_ID.test(value) ? value : randomUUID();
}
