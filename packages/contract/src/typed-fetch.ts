import { TRPC_ERROR_CODES_BY_KEY } from '@trpc/server/rpc';
import { ERROR_CODES, type ErrorCode } from './errors.ts';

type Fetch = (input: string | URL | Request, init?: RequestInit) => Promise<Response>;

/** What an HTTP status with no tRPC body (a proxy's, or Node's own 431) stands for. */
function codeForStatus(status: number): ErrorCode {
  if (status === 401 || status === 403) return 'UNAUTHORIZED';
  if (status === 404) return 'NOT_FOUND';
  if (status === 413) return 'PAYLOAD_TOO_LARGE';
  if (status >= 400 && status < 500) return 'INVALID_INPUT';
  return 'SERVICE_UNAVAILABLE';
}

/** A tRPC error response the client parses like any other: same shape, `appCode` included. */
function errorResponse(
  appCode: ErrorCode,
  httpStatus: number,
  message: string,
  extra: Record<string, unknown> = {},
): Response {
  const code = ERROR_CODES[appCode];
  const data = { code, httpStatus, appCode, ...extra };
  const body = { error: { message, code: TRPC_ERROR_CODES_BY_KEY[code], data } };
  return new Response(JSON.stringify(body), {
    status: httpStatus,
    headers: { 'content-type': 'application/json' },
  });
}

/**
 * Wraps a client's fetch so that every failure reaches the caller as a typed docstore error: a server
 * that cannot be reached is SERVICE_UNAVAILABLE (not `fetch failed`), and an answer without a JSON
 * body (a 431 for headers too large, a proxy's 502 page) gets the code its status stands for, instead
 * of "Unexpected end of JSON input". An abort stays an abort.
 */
export function typedFailures(fetchFn: Fetch, service: string): Fetch {
  return async (input, init) => {
    let response: Response;
    try {
      response = await fetchFn(input, init);
    } catch (error) {
      if (init?.signal?.aborted) throw error;
      // `unreachable` tells "nobody answered" apart from a server that answered 503.
      return errorResponse('SERVICE_UNAVAILABLE', 503, `${service} is unreachable`, { unreachable: true });
    }
    if (response.ok || response.headers.get('content-type')?.includes('application/json')) return response;
    await response.body?.cancel();
    return errorResponse(
      codeForStatus(response.status),
      response.status,
      `${service} answered ${response.status} ${response.statusText}`.trim(),
    );
  };
}
