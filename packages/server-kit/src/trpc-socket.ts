import { isLiveFeed } from '@docstore/contract';
import {
  type AnyRouter,
  callTRPCProcedure,
  getErrorShape,
  getTRPCErrorFromUnknown,
  type inferRouterContext,
  TRPCError,
  transformTRPCResponse,
} from '@trpc/server';
import { parseConnectionParamsFromUnknown } from '@trpc/server/http';
import { parseTRPCMessage, type TRPCClientOutgoingMessage, type TRPCResponseMessage } from '@trpc/server/rpc';
import type { WebSocket } from 'ws';
import { eventFrames, OPEN, TEXT_FRAME } from './socket-frames.ts';
import { isObject } from './trpc-queries.ts';

type CallType = 'query' | 'mutation' | 'subscription';
type CallId = string | number;
type JsonRpc = '2.0' | undefined;

export interface SocketCallsOptions<TRouter extends AnyRouter> {
  router: TRouter;
  /**
   * The connection's context, created once: with the client's `connectionParams` when it said it
   * would send them (`?connectionParams=1`), else null. A throw fails every call and closes.
   */
  createContext(
    connectionParams: Record<string, string | undefined> | null,
    closed: AbortSignal,
  ): Promise<inferRouterContext<TRouter>>;
  /** Whether the first message is the client's connectionParams. */
  awaitsConnectionParams: boolean;
  /** Most calls in one batched message. */
  maxBatchSize?: number;
  /** Every failed call (and a failed context or a malformed message: path undefined). */
  onError(error: TRPCError, path: string | undefined): void;
  /**
   * How many bytes may wait to be sent to this socket after an event was written to it. More, and
   * the client is not reading: the connection is cut (its typed client reconnects and resumes from
   * its last event id), rather than held in memory until the keep-alive gives up on it.
   */
  maxBufferedBytes: number;
  /** The connection was cut for that, with this many bytes still waiting. */
  onSlowReader(bufferedBytes: number): void;
  /**
   * Runs each message's work (the context, every call it carries): the connection's request scope,
   * so that what a call logs, audits or asks of another service carries the connection's request id.
   */
  inScope<T>(work: () => T): T;
}

function isStream(value: unknown): boolean {
  return (
    (typeof value === 'object' || typeof value === 'function') &&
    value !== null &&
    (Symbol.asyncIterator in value || typeof (value as { subscribe?: unknown }).subscribe === 'function')
  );
}

/**
 * Serves tRPC's WebSocket protocol on one connection, as `@trpc/server/adapters/ws` does (the
 * typed `wsLink` client, connectionParams, batches, queries, mutations, `tracked` subscriptions with
 * `lastEventId`, stop, the same error shapes), with one difference that is the reason it exists: a
 * subscription is a `LiveFeed`, consumed by push. Each event is written to the socket as the feed
 * hands it over, its JSON made once for all subscribers. tRPC's adapter runs an async iteration,
 * a race and a serialisation per subscriber per event: with 1,000 subscribers that cost as much CPU
 * as the socket writes themselves (docs/benchmarks.md).
 */
export function serveSocketCalls<TRouter extends AnyRouter>(
  socket: WebSocket,
  options: SocketCallsOptions<TRouter>,
): void {
  const { router } = options;
  const config = router._def._config;
  const closed = new AbortController();
  const subscriptions = new Map<CallId, AbortController>();
  let ctx: inferRouterContext<TRouter> | undefined;
  let context: Promise<TRPCError | null> | undefined;

  const send = (message: TRPCResponseMessage) => {
    if (socket.readyState === OPEN) socket.send(JSON.stringify(transformTRPCResponse(config, message)));
  };
  const fail = (
    id: CallId | null,
    jsonrpc: JsonRpc,
    cause: unknown,
    call?: { type: CallType; path: string; input: unknown },
  ) => {
    const error = getTRPCErrorFromUnknown(cause);
    options.onError(error, call?.path);
    const { type = 'unknown', path = undefined, input = undefined } = call ?? {};
    send({ id, jsonrpc, error: getErrorShape({ config, error, type, path, input, ctx }) });
  };

  const start = (readParams: () => Record<string, string | undefined> | null) => {
    context = (async () => {
      try {
        ctx = await options.createContext(readParams(), closed.signal);
        return null;
      } catch (cause) {
        fail(null, undefined, cause);
        setImmediate(() => socket.close());
        return getTRPCErrorFromUnknown(cause);
      }
    })();
  };
  if (!options.awaitsConnectionParams) options.inScope(() => start(() => null));

  const subscribe = async (
    id: CallId,
    jsonrpc: JsonRpc,
    call: { type: 'subscription'; path: string; input: unknown },
    batchIndex: number,
    ready: Promise<TRPCError | null>,
  ) => {
    if (subscriptions.has(id)) {
      fail(id, jsonrpc, new TRPCError({ code: 'BAD_REQUEST', message: `Duplicate id ${id}` }), call);
      return;
    }
    const stop = new AbortController();
    subscriptions.set(id, stop);
    let started = false;
    try {
      const contextError = await ready;
      if (contextError) throw contextError;
      if (!stop.signal.aborted) {
        const feed = await callTRPCProcedure({
          router,
          path: call.path,
          getRawInput: async () => call.input,
          ctx,
          type: 'subscription',
          signal: stop.signal,
          batchIndex,
        });
        if (!isLiveFeed(feed)) {
          throw new TRPCError({
            code: 'INTERNAL_SERVER_ERROR',
            message: `subscription ${call.path} did not return a LiveFeed`,
          });
        }
        if (socket.readyState === OPEN && !stop.signal.aborted) {
          send({ id, jsonrpc, result: { type: 'started' } });
          started = true;
        }
        const frame = eventFrames(router, id, jsonrpc);
        let undeliverable: { cause: unknown } | undefined;
        // Run even when already stopped: a feed releases what it holds when its run ends.
        await feed.listen((item) => {
          if (undeliverable || stop.signal.aborted || socket.readyState !== OPEN) return;
          try {
            socket.send(frame(item), TEXT_FRAME);
          } catch (cause) {
            undeliverable = { cause };
            stop.abort();
            return;
          }
          if (socket.bufferedAmount > options.maxBufferedBytes) {
            options.onSlowReader(socket.bufferedAmount);
            // Not a close handshake: a client that reads nothing would not read that either.
            socket.terminate();
          }
        }, stop.signal);
        if (undeliverable) throw undeliverable.cause;
      }
    } catch (cause) {
      const stoppedWhileStarting = stop.signal.aborted && !started && isAbortError(cause);
      if (!stoppedWhileStarting) fail(id, jsonrpc, cause, call);
      if (!started && !stop.signal.aborted) return;
    } finally {
      if (subscriptions.get(id) === stop) subscriptions.delete(id);
    }
    send({ id, jsonrpc, result: { type: 'stopped' } });
  };

  const handle = async (
    message: TRPCClientOutgoingMessage,
    batchIndex: number,
    ready: Promise<TRPCError | null>,
  ) => {
    const { id, jsonrpc } = message;
    if (id === null) {
      fail(null, jsonrpc, new TRPCError({ code: 'PARSE_ERROR', message: '`id` is required' }));
      return;
    }
    if (message.method === 'subscription.stop') {
      subscriptions.get(id)?.abort();
      return;
    }
    const { path, lastEventId } = message.params;
    let { input } = message.params;
    if (lastEventId !== undefined)
      input = isObject(input) ? { ...input, lastEventId } : (input ?? { lastEventId });
    if (message.method === 'subscription') {
      await subscribe(id, jsonrpc, { type: 'subscription', path, input }, batchIndex, ready);
      return;
    }
    const call = { type: message.method, path, input };
    try {
      const contextError = await ready;
      if (contextError) throw contextError;
      const data = await callTRPCProcedure({
        router,
        path,
        getRawInput: async () => input,
        ctx,
        type: call.type,
        signal: closed.signal,
        batchIndex,
      });
      if (isStream(data)) {
        throw new TRPCError({
          code: 'UNSUPPORTED_MEDIA_TYPE',
          message: `Cannot return an async iterable or observable from a ${call.type} procedure with WebSockets`,
        });
      }
      send({ id, jsonrpc, result: { type: 'data', data } });
    } catch (cause) {
      fail(id, jsonrpc, cause, call);
    }
  };

  /** Answers every call of a batch over the limit, without reading any input. */
  const refuseBatch = (raws: unknown[]) => {
    const error = new TRPCError({ code: 'BAD_REQUEST', message: 'Batch call exceeds maximum size' });
    options.onError(error, undefined);
    const shape = getErrorShape({ config, error, type: 'unknown', path: undefined, input: undefined, ctx });
    let answered = false;
    for (const raw of raws) {
      if (!isObject(raw) || raw.method === 'subscription.stop') continue;
      if (typeof raw.id !== 'number' && typeof raw.id !== 'string') continue;
      send({ id: raw.id, jsonrpc: raw.jsonrpc === '2.0' ? '2.0' : undefined, error: shape });
      answered = true;
    }
    if (!answered) send({ id: null, error: shape });
  };

  socket.on('message', (raw) => {
    const text = String(raw);
    if (text === 'PONG') return;
    if (text === 'PING') {
      socket.send('PONG');
      return;
    }
    if (context === undefined) {
      options.inScope(() => start(() => readConnectionParams(text)));
      return;
    }
    let messages: TRPCClientOutgoingMessage[];
    try {
      const parsed: unknown = JSON.parse(text);
      const raws = Array.isArray(parsed) ? parsed : [parsed];
      if (Array.isArray(parsed) && options.maxBatchSize !== undefined && raws.length > options.maxBatchSize) {
        refuseBatch(raws);
        return;
      }
      messages = raws.map((item) => parseTRPCMessage(item, config.transformer));
    } catch (cause) {
      fail(null, undefined, new TRPCError({ code: 'PARSE_ERROR', cause }));
      return;
    }
    const ready = context;
    options.inScope(() => {
      for (const [index, message] of messages.entries()) {
        // A failure of the error answer itself (it is built and sent in `fail`) must not end the process.
        handle(message, index, ready).catch((cause: unknown) =>
          options.onError(getTRPCErrorFromUnknown(cause), undefined),
        );
      }
    });
  });
  // An invalid frame (say, reserved bits set) is an error event: unhandled, it would end the process.
  socket.on('error', (cause) => options.onError(getTRPCErrorFromUnknown(cause), undefined));
  socket.once('close', () => {
    closed.abort();
    for (const stop of subscriptions.values()) stop.abort();
    subscriptions.clear();
  });
}

function readConnectionParams(text: string): Record<string, string | undefined> | null {
  try {
    const message: unknown = JSON.parse(text);
    if (!isObject(message)) throw new Error('the message is not an object');
    return parseConnectionParamsFromUnknown(message.data);
  } catch (cause) {
    throw new TRPCError({ code: 'PARSE_ERROR', message: 'Malformed TRPCConnectionParamsMessage', cause });
  }
}

function isAbortError(cause: unknown): boolean {
  const error = getTRPCErrorFromUnknown(cause);
  return error.cause instanceof Error && error.cause.name === 'AbortError';
}
