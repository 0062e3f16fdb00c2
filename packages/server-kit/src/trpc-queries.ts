import type { IncomingMessage, ServerResponse } from 'node:http';
import {
  type AnyProcedure,
  type AnyRouter,
  getTRPCErrorFromUnknown,
  getTRPCErrorShape,
  TRPCError,
  transformTRPCResponse,
} from '@trpc/server';
import { getHTTPStatusCode } from '@trpc/server/http';
import { getProcedureAtPath, type TRPCRequestInfo } from '@trpc/server/unstable-core-do-not-import';

/** What `createContext` reads of a request, on either path: a web Request has all of it. */
export interface RequestHead {
  method: string;
  url: string;
  headers: Headers;
  signal: AbortSignal;
}

/** A JSON GET of queries, as tRPC's fetch adapter would read it; null when it is anything else. */
export interface QueryRequest {
  isBatchCall: boolean;
  calls: Array<{ path: string; procedure: AnyProcedure; input: unknown }>;
}

/** A plain JSON object (not an array, not null): tRPC's message and input shapes. */
export function isObject(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

/**
 * Reads a request the fast path may serve: GET, JSON (no streaming `accept`), every path a known
 * query, the input well-formed and the batch within its limit. Anything else (null) goes the fetch
 * adapter's way, which also gives every malformed request its exact tRPC error.
 */
export async function readQueryRequest(
  router: AnyRouter,
  req: IncomingMessage,
  url: URL,
  endpoint: string,
  maxBatchSize: number | undefined,
): Promise<QueryRequest | null> {
  if (req.method !== 'GET' || !url.pathname.startsWith(`${endpoint}/`)) return null;
  const { headers } = req;
  if (headers['trpc-accept'] !== undefined || headers.accept?.includes('application/jsonl')) return null;
  if (headers['content-type'] !== undefined && !headers['content-type'].startsWith('application/json'))
    return null;
  let path: string;
  let inputs: unknown;
  try {
    path = decodeURIComponent(url.pathname.slice(endpoint.length + 1));
    const input = url.searchParams.get('input');
    inputs = input ? JSON.parse(input) : undefined;
  } catch {
    return null;
  }
  const isBatchCall = url.searchParams.get('batch') === '1';
  const paths = isBatchCall ? path.split(',') : [path];
  if (isBatchCall && maxBatchSize !== undefined && paths.length > maxBatchSize) return null;
  if (isBatchCall && inputs !== undefined && !isObject(inputs)) return null;
  const { transformer } = router._def._config;
  const calls: QueryRequest['calls'] = [];
  for (const [index, callPath] of paths.entries()) {
    const procedure = await getProcedureAtPath(router, callPath);
    if (procedure?._def.type !== 'query') return null;
    const raw = isBatchCall ? (inputs as Record<string, unknown> | undefined)?.[index] : inputs;
    calls.push({
      path: callPath,
      procedure,
      input: raw === undefined ? undefined : transformer.input.deserialize(raw),
    });
  }
  return { isBatchCall, calls };
}

/** tRPC's own test: a query may not answer with a promise or a stream outside a streaming request. */
function isDataStream(value: unknown): boolean {
  if (!isObject(value)) return false;
  const isAsync = (item: unknown) =>
    (typeof item === 'object' || typeof item === 'function') &&
    item !== null &&
    (Symbol.asyncIterator in item || typeof (item as { then?: unknown }).then === 'function');
  return isAsync(value) || Object.values(value).some(isAsync);
}

export interface ServeQueriesOptions<TRouter extends AnyRouter> {
  router: TRouter;
  head: RequestHead;
  /** The request's URL, parsed once by the server (`head.url` is its text). */
  url: URL;
  query: QueryRequest;
  createContext(info: TRPCRequestInfo): Promise<unknown>;
  onError(error: TRPCError, path: string): void;
}

/**
 * Answers a JSON GET of queries the way tRPC's `resolveResponse` does (same body, status, error
 * shapes through the router's errorFormatter), without the web Request/Response and stream bridge
 * that costs ~250 µs a call: the procedures are called directly and the JSON written with `res.end`.
 */
export async function serveQueries<TRouter extends AnyRouter>(
  options: ServeQueriesOptions<TRouter>,
  res: ServerResponse,
  extraHeaders: Record<string, string>,
): Promise<void> {
  const { router, head, query } = options;
  const config = router._def._config;
  const info: TRPCRequestInfo = {
    accept: null,
    type: 'query',
    isBatchCall: query.isBatchCall,
    calls: query.calls.map((call, batchIndex) => ({
      path: call.path,
      procedure: call.procedure,
      batchIndex,
      getRawInput: async () => call.input,
      result: () => call.input,
    })),
    connectionParams: null,
    signal: head.signal,
    url: options.url,
  };
  let ctx: unknown;
  let ctxError: TRPCError | undefined;
  try {
    ctx = await options.createContext(info);
  } catch (cause) {
    ctxError = getTRPCErrorFromUnknown(cause);
  }
  const outcomes = await Promise.all(
    query.calls.map(async (call, batchIndex): Promise<[TRPCError, undefined] | [undefined, unknown]> => {
      try {
        if (ctxError) throw ctxError;
        const data: unknown = await call.procedure({
          path: call.path,
          getRawInput: async () => call.input,
          ctx,
          type: 'query',
          signal: head.signal,
          batchIndex,
        });
        if (isDataStream(data)) {
          throw new TRPCError({
            code: 'UNSUPPORTED_MEDIA_TYPE',
            message: 'Cannot use stream-like response in non-streaming request - use httpBatchStreamLink',
          });
        }
        return [undefined, data];
      } catch (cause) {
        const error = getTRPCErrorFromUnknown(cause);
        options.onError(error, call.path);
        return [error, undefined];
      }
    }),
  );
  const json = outcomes.map(([error, data], index) => {
    const call = query.calls[index];
    if (!error) return { result: { data } };
    const shape = getTRPCErrorShape({
      config,
      ctx: ctxError ? undefined : ctx,
      error,
      input: call?.input,
      path: call?.path,
      type: 'query',
    });
    return { error: shape };
  });
  const errors = outcomes.map(([error]) => error);
  const status = getHTTPStatusCode(json as Parameters<typeof getHTTPStatusCode>[0], errors);
  const body = query.isBatchCall ? json : json[0];
  const text = JSON.stringify(
    transformTRPCResponse(config, body as Parameters<typeof transformTRPCResponse>[1]),
  );
  if (res.destroyed) return;
  res.writeHead(status, {
    vary: 'trpc-accept, accept',
    'content-type': 'application/json',
    'content-length': Buffer.byteLength(text),
    ...extraHeaders,
  });
  res.end(text);
}
