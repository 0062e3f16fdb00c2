import type { Server } from 'node:http';
import type { AnyRouter, inferRouterContext } from '@trpc/server';
import {
  applyWSSHandler,
  type CreateWSSContextFnOptions,
  type WSSHandlerOptions,
} from '@trpc/server/adapters/ws';
import { WebSocketServer } from 'ws';
import { TRPC_ENDPOINT, toHeaders } from './http-server.ts';

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
}

export interface WebSocketEndpoint {
  /** Live connections: a closed one must not stay counted. */
  readonly clientCount: number;
  /** Asks clients to reconnect (elsewhere), then closes every connection. */
  close(): Promise<void>;
}

/**
 * tRPC over WebSocket on the HTTP server's own port and path (/trpc), with keep-alive pings so that
 * dead peers are noticed and their subscriptions released.
 */
export function attachWebSocket<TRouter extends AnyRouter>(
  server: Server,
  options: WebSocketOptions<TRouter>,
): WebSocketEndpoint {
  const wss = new WebSocketServer({ server, path: TRPC_ENDPOINT });
  // The cast only bridges tRPC's conditional option type for a generic router.
  const handlerOptions = {
    wss,
    router: options.router,
    createContext: ({ req, res, info }: CreateWSSContextFnOptions) => {
      const closed = new AbortController();
      res.once('close', () => closed.abort());
      return options.createContext({
        headers: toHeaders(req),
        remoteAddress: req.socket.remoteAddress ?? null,
        connectionParams: info.connectionParams,
        closed: closed.signal,
      });
    },
    keepAlive: { enabled: true, pingMs: 30_000, pongWaitMs: 10_000 },
  } as WSSHandlerOptions<TRouter>;
  const handler = applyWSSHandler(handlerOptions);
  return {
    get clientCount() {
      return wss.clients.size;
    },
    close() {
      handler.broadcastReconnectNotification();
      for (const client of wss.clients) client.terminate();
      return new Promise((resolve) => wss.close(() => resolve()));
    },
  };
}
