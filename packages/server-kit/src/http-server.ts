import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import { Readable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import type { AnyRouter, inferRouterContext, TRPCError } from '@trpc/server';
import { fetchRequestHandler } from '@trpc/server/adapters/fetch';
import type { TRPCRequestInfo } from '@trpc/server/unstable-core-do-not-import';
import type { Drain } from './drain.ts';
import { describeError, type Logger } from './logger.ts';
import { requestBodyStream } from './request-body.ts';
import { REQUEST_ID_HEADER, requestIdFor, runInRequest } from './request-context.ts';
import { type RequestHead, readQueryRequest, serveQueries } from './trpc-queries.ts';

export const TRPC_ENDPOINT = '/trpc';

/** A plain HTTP route beside tRPC: health probes, streaming downloads. */
export interface Route {
  method: 'GET' | 'HEAD';
  /** Exact path, or a prefix when it ends with '/'. */
  path: string;
  handle(req: IncomingMessage, res: ServerResponse, url: URL): Promise<void> | void;
}

export interface HttpServerOptions<TRouter extends AnyRouter> {
  router: TRouter;
  /**
   * `req` is the request's method, URL, headers (with the request id) and abort signal: a web Request
   * on the fetch adapter's path, a plain object on the JSON query path. `remoteAddress` is the peer's
   * address as the socket saw it (no forwarded headers).
   */
  createContext(opts: {
    req: RequestHead;
    info: TRPCRequestInfo;
    remoteAddress: string | null;
  }): Promise<inferRouterContext<TRouter>>;
  routes?: Route[];
  logger: Logger;
  /**
   * Whether this request's own `x-request-id` may be kept (it comes from a trusted reverse proxy or
   * a peer service); otherwise every request gets a fresh id. Never trusted by default.
   */
  trustRequestId?(req: IncomingMessage): boolean;
  /** Most calls one batched request may carry; a bigger batch is refused with BAD_REQUEST. */
  maxBatchSize?: number;
  /** The service's shutdown state: while draining, new requests (probes aside) are refused. */
  drain?: Drain;
  /**
   * Answer JSON GET queries without the fetch adapter (trpc-queries.ts; same bytes, ~5x less CPU).
   * On by default; off sends every call through the fetch adapter (the tests compare the two).
   */
  fastQueries?: boolean;
}

const PROBES = new Set(['/healthz', '/readyz']);

/** SERVICE_UNAVAILABLE in tRPC's error shape, so typed clients read it like any other (a batch included). */
function refuseWhileDraining(res: ServerResponse): void {
  const data = { code: 'SERVICE_UNAVAILABLE', httpStatus: 503, appCode: 'SERVICE_UNAVAILABLE' };
  const text = JSON.stringify({ error: { message: 'the server is shutting down', code: -32053, data } });
  res.writeHead(503, {
    'content-type': 'application/json',
    'content-length': Buffer.byteLength(text),
    connection: 'close',
    'retry-after': '1',
  });
  res.end(text);
}

function findRoute(routes: Route[], method: string, path: string): Route | undefined {
  const matchMethod = (route: Route) =>
    route.method === method || (method === 'HEAD' && route.method === 'GET');
  return routes.find(
    (route) =>
      matchMethod(route) && (route.path.endsWith('/') ? path.startsWith(route.path) : path === route.path),
  );
}

function toHeaders(req: IncomingMessage): Headers {
  const headers = new Headers();
  for (const [name, value] of Object.entries(req.headers)) {
    if (Array.isArray(value)) for (const item of value) headers.append(name, item);
    else if (value !== undefined) headers.set(name, value);
  }
  return headers;
}

/**
 * Aborts when the client goes away before the answer is complete or, past the shutdown grace period,
 * with the shutdown as its reason.
 */
function requestSignal(drain: Drain | undefined, res: ServerResponse): AbortSignal {
  const aborted = new AbortController();
  res.once('close', () => {
    if (!res.writableFinished) aborted.abort();
  });
  const deadline = drain?.deadline;
  if (!deadline) return aborted.signal;
  const onDeadline = () => aborted.abort(deadline.reason);
  if (deadline.aborted) onDeadline();
  deadline.addEventListener('abort', onDeadline, { once: true });
  res.once('close', () => deadline.removeEventListener('abort', onDeadline));
  return aborted.signal;
}

/** The request's headers as the context sees them: the request id it runs under among them. */
export function headersWithId(req: IncomingMessage, requestId: string): Headers {
  const headers = toHeaders(req);
  headers.set(REQUEST_ID_HEADER, requestId);
  return headers;
}

/**
 * A failed procedure's log line: `error` with the cause's stack for an unexpected failure, `warn` for
 * an expected one. `requestId` names the id where the line may be written outside the request's own
 * context (a WebSocket connection's malformed messages and socket errors).
 */
export function logFailure(
  logger: Logger,
  error: TRPCError,
  path: string | undefined,
  requestId?: string,
): void {
  const unexpected = error.code === 'INTERNAL_SERVER_ERROR';
  logger[unexpected ? 'error' : 'warn']('procedure failed', {
    ...(requestId === undefined ? {} : { requestId }),
    path,
    trpcCode: error.code,
    ...describeError(error.cause ?? error, unexpected),
  });
}

/**
 * tRPC at /trpc. A JSON GET of queries (one or a batch) is answered directly (trpc-queries.ts), with
 * the same body and status; everything else goes through the fetch adapter.
 */
async function serveTRPC<TRouter extends AnyRouter>(
  options: HttpServerOptions<TRouter>,
  req: IncomingMessage,
  res: ServerResponse,
  url: URL,
  requestId: string,
): Promise<void> {
  const query =
    options.fastQueries === false
      ? null
      : await readQueryRequest(options.router, req, url, TRPC_ENDPOINT, options.maxBatchSize);
  if (!query) return serveThroughFetch(options, req, res, url, requestId);
  const head: RequestHead = {
    method: 'GET',
    url: url.href,
    headers: headersWithId(req, requestId),
    signal: requestSignal(options.drain, res),
  };
  const remoteAddress = req.socket.remoteAddress ?? null;
  await serveQueries(
    {
      router: options.router,
      head,
      url,
      query,
      createContext: (info) => options.createContext({ req: head, info, remoteAddress }),
      onError: (error, path) => logFailure(options.logger, error, path),
    },
    res,
    { [REQUEST_ID_HEADER]: requestId },
  );
}

/**
 * tRPC served from a plain node:http server through the fetch adapter. tRPC's node adapter enqueues
 * every incoming chunk without pausing the socket, so a slow consumer makes it buffer a whole upload;
 * here the request body is a web stream over the socket, read only as fast as the procedure pulls.
 */
async function serveThroughFetch<TRouter extends AnyRouter>(
  options: HttpServerOptions<TRouter>,
  req: IncomingMessage,
  res: ServerResponse,
  url: URL,
  requestId: string,
): Promise<void> {
  const signal = requestSignal(options.drain, res);
  const body = req.method !== 'GET' && req.method !== 'HEAD' ? requestBodyStream(req) : undefined;
  // The context (and the error formatter, through it) sees the id this request runs under.
  const requestInit: RequestInit & { duplex: 'half' } = {
    method: req.method,
    headers: headersWithId(req, requestId),
    body: body?.stream,
    duplex: 'half',
    signal,
  };
  const response = await fetchRequestHandler({
    endpoint: TRPC_ENDPOINT,
    req: new Request(url, requestInit),
    router: options.router,
    maxBatchSize: options.maxBatchSize,
    createContext: (opts) =>
      options.createContext({ ...opts, remoteAddress: req.socket.remoteAddress ?? null }),
    onError: ({ error, path }) => logFailure(options.logger, error, path),
  });
  // A procedure that failed before reading its input (a size declared too large) leaves the body
  // unread: drop it, or the client, still sending, never reads the answer.
  res.once('finish', () => body?.discard());
  if (res.destroyed) {
    // The client is gone (or its request was malformed and Node answered it): nobody to answer.
    await response.body?.cancel();
    return;
  }
  res.writeHead(response.status, { ...Object.fromEntries(response.headers), [REQUEST_ID_HEADER]: requestId });
  if (!response.body) {
    res.end();
    return;
  }
  await pipeline(Readable.fromWeb(response.body as import('node:stream/web').ReadableStream), res);
}

/** The HTTP server every docstore service runs: its plain routes, then tRPC at /trpc. */
export function createHttpServer<TRouter extends AnyRouter>(options: HttpServerOptions<TRouter>): Server {
  const routes = options.routes ?? [];
  return createServer((req, res) => {
    const requestId = requestIdFor(req.headers[REQUEST_ID_HEADER], options.trustRequestId?.(req) ?? false);
    res.setHeader(REQUEST_ID_HEADER, requestId);
    runInRequest(requestId, () => {
      const url = new URL(req.url ?? '/', 'http://localhost');
      logCompletion(options.logger, req, res, url, requestId);
      if (options.drain && !PROBES.has(url.pathname)) {
        if (options.drain.draining) return refuseWhileDraining(res);
        options.drain.track(res);
      }
      const route = findRoute(routes, req.method ?? 'GET', url.pathname);
      const handled = route
        ? route.handle(req, res, url)
        : url.pathname === TRPC_ENDPOINT || url.pathname.startsWith(`${TRPC_ENDPOINT}/`)
          ? serveTRPC(options, req, res, url, requestId)
          : sendJson(res, 404, { error: 'not found' });
      Promise.resolve(handled).catch((error: unknown) => {
        // A client that went away mid-response is not a server failure.
        if ((error as { code?: string }).code === 'ERR_STREAM_PREMATURE_CLOSE') return;
        options.logger.error('request failed', { path: url.pathname, ...describeError(error, true) });
        // Internals stay in the log; the client gets the id that finds them there.
        if (!res.headersSent) sendJson(res, 500, { error: 'internal error', requestId });
        else res.destroy();
      });
    });
  });
}

/**
 * One line per answered request (the access log): method, path, status and time, under the request's
 * id. Probes are left out: they would drown everything else.
 */
function logCompletion(
  logger: Logger,
  req: IncomingMessage,
  res: ServerResponse,
  url: URL,
  requestId: string,
): void {
  if (PROBES.has(url.pathname)) return;
  const started = performance.now();
  res.once('close', () => {
    // Named here: a socket's close event does not run inside the request's async context.
    logger.info('request', {
      requestId,
      method: req.method,
      path: url.pathname,
      status: res.statusCode,
      completed: res.writableFinished,
      ms: Math.round(performance.now() - started),
    });
  });
}

export function sendJson(res: ServerResponse, status: number, body: unknown): void {
  const text = JSON.stringify(body);
  res.writeHead(status, { 'content-type': 'application/json', 'content-length': Buffer.byteLength(text) });
  res.end(text);
}
