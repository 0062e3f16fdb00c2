import type { Server } from 'node:http';
import { metadataRouter } from '@docstore/contract';
import { attachWebSocket, createHttpServer, sendJson, type WebSocketEndpoint } from '@docstore/server-kit';
import type { Caller } from './domain/caller.ts';
import { checkHealth } from './domain/health.ts';
import { createRequestApis, type MetadataDeps } from './domain/request-apis.ts';

export interface MetadataServerOptions extends MetadataDeps {
  /** Until authentication lands every request runs as this user. */
  devUserId: string;
}

export interface MetadataServer {
  http: Server;
  webSocket: WebSocketEndpoint;
}

/** HTTP and WebSocket on one port: tRPC at /trpc for both, probes and stats beside. */
export function createMetadataServer(options: MetadataServerOptions): MetadataServer {
  const health = () => checkHealth(options.orm, options.blob);
  const contextFor = (caller: Caller, headers: Headers, signal: AbortSignal) => ({
    ...createRequestApis(options, caller),
    health,
    headers,
    signal,
  });
  // A WebSocket context lives as long as its connection; subscriptions end through their own signal.
  const connectionSignal = new AbortController().signal;
  let webSocket: WebSocketEndpoint | undefined;
  const http = createHttpServer({
    router: metadataRouter,
    logger: options.logger,
    createContext: async ({ req, remoteAddress }) =>
      contextFor({ userId: options.devUserId, ip: remoteAddress }, req.headers, req.signal),
    routes: [
      { method: 'GET', path: '/healthz', handle: (_req, res) => sendJson(res, 200, { ok: true }) },
      {
        method: 'GET',
        path: '/readyz',
        async handle(_req, res) {
          const result = await health();
          sendJson(res, result.ok ? 200 : 503, result);
        },
      },
      {
        // Counts only, no identities: what an operator (or a leak test) needs to see.
        method: 'GET',
        path: '/stats',
        handle: (_req, res) =>
          sendJson(res, 200, {
            webSocketClients: webSocket?.clientCount ?? 0,
            statusListeners: options.bus.listenerCount,
          }),
      },
    ],
  });
  webSocket = attachWebSocket(http, {
    router: metadataRouter,
    createContext: async ({ headers, remoteAddress }) =>
      contextFor({ userId: options.devUserId, ip: remoteAddress }, headers, connectionSignal),
  });
  return { http, webSocket };
}
