import type { IncomingMessage, Server } from 'node:http';
import type { AnyRouter, inferRouterContext } from '@trpc/server';
import { handleKeepAlive } from '@trpc/server/adapters/ws';
import { WebSocketServer } from 'ws';
import { headersWithId, logFailure, TRPC_ENDPOINT } from './http-server.ts';
import type { Logger } from './logger.ts';
import { REQUEST_ID_HEADER, requestIdFor, runInRequest } from './request-context.ts';
import { sendReconnectNotice } from './socket-frames.ts';
import { serveSocketCalls } from './trpc-socket.ts';

/** Close code 1012 (Service Restart): the client should reconnect, here or elsewhere. */
export const CLOSE_SERVICE_RESTART = 1012;

export interface WebSocketOptions<TRouter extends AnyRouter> {
  router: TRouter;
  /** Called once per connection; `connectionParams` are what the client sent when it connected. */
  createContext(opts: {
    headers: Headers;
    remoteAddress: string | null;
    connectionParams: Record<string, string | undefined> | null;
    /** Aborts when the connection closes: what the context holds for it can be let go then. */
    closed: AbortSignal;
  }): Promise<inferRouterContext<TRouter>>;
  /**
   * Largest frame read from a client (default 64 KiB): calls over a socket are small JSON, so a
   * bigger frame closes the connection (1009) before it is buffered, authenticated or not.
   */
  maxPayloadBytes?: number;
  /** Subscriptions one connection may hold at once (default 100); one more is BAD_REQUEST. */
  maxSubscriptions?: number;
  /**
   * Bytes that may wait to be sent to one connection once an event is written to it (default
   * 1 MiB); more, and its client is not reading: the connection is cut (see `serveSocketCalls`).
   */
  maxBufferedBytes?: number;
  /** Most calls in one batched message. */
  maxBatchSize?: number;
  /** Failed calls are logged here, under the connection's request id. */
  logger: Logger;
  /**
   * Whether the upgrade request's own `x-request-id` may be kept (it comes from a trusted reverse
   * proxy); otherwise the connection gets a fresh id. Never trusted by default.
   */
  trustRequestId?(req: IncomingMessage): boolean;
}

export interface WebSocketEndpoint {
  /** Live connections: a closed one must not stay counted. */
  readonly clientCount: number;
  /**
   * Closes every connection with 1012 and `reason`, so clients know to reconnect (and resume their
   * subscriptions from their last event id) rather than treat it as a failure.
   */
  close(reason?: string): Promise<void>;
}

/** A quiet connection is pinged after about this long, and cut if no pong follows in time. */
const KEEP_ALIVE_PING_MS = 30_000;
const KEEP_ALIVE_PONG_WAIT_MS = 10_000;

export const DEFAULT_WS_MAX_PAYLOAD_BYTES = 64 * 1024;
export const DEFAULT_MAX_SUBSCRIPTIONS = 100;
export const DEFAULT_WS_MAX_BUFFERED_BYTES = 1024 * 1024;

/** A connection's subscription budget (see the contract's `SubscriptionSlots`). */
function subscriptionSlots(limit: number) {
  let taken = 0;
  return {
    limit,
    take: () => {
      if (taken >= limit) return false;
      taken += 1;
      return true;
    },
    release: () => {
      taken = Math.max(0, taken - 1);
    },
  };
}

/**
 * tRPC over WebSocket on the HTTP server's own port and path (/trpc), served by `serveSocketCalls`,
 * with keep-alive pings so that dead peers are noticed and their subscriptions released.
 */
export function attachWebSocket<TRouter extends AnyRouter>(
  server: Server,
  options: WebSocketOptions<TRouter>,
): WebSocketEndpoint {
  const wss = new WebSocketServer({
    server,
    path: TRPC_ENDPOINT,
    maxPayload: options.maxPayloadBytes ?? DEFAULT_WS_MAX_PAYLOAD_BYTES,
  });
  const maxSubscriptions = options.maxSubscriptions ?? DEFAULT_MAX_SUBSCRIPTIONS;
  wss.on('connection', (socket, req) => {
    // One request id per connection, as an HTTP request has one: its calls run in its scope (log
    // lines, audit rows, calls to other services), and their contexts see it in their headers.
    const requestId = requestIdFor(req.headers[REQUEST_ID_HEADER], options.trustRequestId?.(req) ?? false);
    // Spread over 24-30 s: sockets that connected together (a reconnect storm, a deploy) would
    // otherwise be pinged together, a burst of a thousand frames at once.
    handleKeepAlive(socket, KEEP_ALIVE_PING_MS * (0.8 + 0.2 * Math.random()), KEEP_ALIVE_PONG_WAIT_MS);
    serveSocketCalls(socket, {
      router: options.router,
      maxBatchSize: options.maxBatchSize,
      awaitsConnectionParams:
        new URL(req.url ?? '/', 'http://localhost').searchParams.get('connectionParams') === '1',
      createContext: async (connectionParams, closed) => ({
        ...(await options.createContext({
          headers: headersWithId(req, requestId),
          remoteAddress: req.socket.remoteAddress ?? null,
          connectionParams,
          closed,
        })),
        subscriptionSlots: subscriptionSlots(maxSubscriptions),
      }),
      onError: (error, path) => logFailure(options.logger, error, path, requestId),
      maxBufferedBytes: options.maxBufferedBytes ?? DEFAULT_WS_MAX_BUFFERED_BYTES,
      onSlowReader: (bufferedBytes) =>
        options.logger.warn('closed a WebSocket whose client did not read its events', {
          requestId,
          bufferedBytes,
        }),
      inScope: (work) => runInRequest(requestId, work),
    });
  });
  return {
    get clientCount() {
      return wss.clients.size;
    },
    close(reason = 'the server is restarting; reconnect') {
      sendReconnectNotice(wss.clients);
      for (const client of wss.clients) client.close(CLOSE_SERVICE_RESTART, reason);
      // A client that does not answer the close handshake is cut.
      const cut = setTimeout(() => {
        for (const client of wss.clients) client.terminate();
      }, 2_000);
      return new Promise((resolve) =>
        wss.close(() => {
          clearTimeout(cut);
          resolve();
        }),
      );
    },
  };
}
