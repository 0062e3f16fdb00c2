import type { Server } from 'node:http';
import { type MetadataContext, metadataRouter } from '@docstore/contract';
import { attachWebSocket, createHttpServer, sendJson, type WebSocketEndpoint } from '@docstore/server-kit';
import { bearerToken, type Session } from './adapters/token-verifier.ts';
import { clientAddress } from './client-address.ts';
import { checkHealth } from './domain/health.ts';
import { createRequestApis, type MetadataDeps } from './domain/request-apis.ts';
import { sessionEndSignal } from './domain/session-end.ts';

export interface MetadataServerOptions extends MetadataDeps {
  verifyToken(token: string | undefined): Promise<Session | null>;
  trustProxy: boolean;
}

export interface MetadataServer {
  http: Server;
  webSocket: WebSocketEndpoint;
}

/** HTTP and WebSocket on one port: tRPC at /trpc for both, probes and stats beside. */
export function createMetadataServer(options: MetadataServerOptions): MetadataServer {
  const health = () => checkHealth(options.orm, options.blob);
  const contextFor = async (
    token: string | undefined,
    headers: Headers,
    remoteAddress: string | null,
    signal: AbortSignal,
  ): Promise<MetadataContext> => {
    const session = await options.verifyToken(token);
    const caller = session && {
      userId: session.userId,
      ip: clientAddress(headers, remoteAddress, options.trustProxy),
    };
    return {
      user:
        session && caller
          ? { ...createRequestApis(options, caller), sessionEnd: sessionEndSignal(session.expiresAt) }
          : null,
      health,
      headers,
      signal,
    };
  };
  // A WebSocket context lives as long as its connection; subscriptions end through their own signal.
  const connectionSignal = new AbortController().signal;
  let webSocket: WebSocketEndpoint | undefined;
  const http = createHttpServer({
    router: metadataRouter,
    logger: options.logger,
    createContext: ({ req, remoteAddress }) =>
      contextFor(bearerToken(req.headers.get('authorization')), req.headers, remoteAddress, req.signal),
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
    createContext: ({ headers, remoteAddress, connectionParams }) =>
      contextFor(connectionParams?.token, headers, remoteAddress, connectionSignal),
  });
  return { http, webSocket };
}
