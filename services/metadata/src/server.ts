import type { Server } from 'node:http';
import {
  CONTRACT_VERSION,
  CONTRACT_VERSION_HEADER,
  type MetadataContext,
  metadataRouter,
  type ProcedureObserver,
} from '@docstore/contract';
import {
  attachWebSocket,
  createHttpServer,
  type Drain,
  sendJson,
  steadyReadiness,
  type WebSocketEndpoint,
} from '@docstore/server-kit';
import { bearerToken, type Session } from './adapters/token-verifier.ts';
import { clientAddress } from './client-address.ts';
import { checkHealth, HEALTH_PROBE_MS } from './domain/health.ts';
import { createConnectionApis, createRequestApis, type MetadataDeps } from './domain/request-apis.ts';
import { sessionEndSignal } from './domain/session-end.ts';

export interface MetadataServerOptions extends MetadataDeps {
  verifyToken(token: string | undefined): Promise<Session | null>;
  trustProxy: boolean;
  /** Sees every finished call (the service's metrics). */
  observeProcedure?: ProcedureObserver;
  /** Shutdown state: readiness turns 503 and new calls are refused while draining. */
  drain?: Drain;
  /** Request size limits (see env.ts); server-kit's defaults where omitted. */
  limits?: {
    maxBatchSize?: number;
    wsMaxPayloadBytes?: number;
    wsMaxBufferedBytes?: number;
    maxSubscriptionsPerConnection?: number;
  };
}

export interface MetadataServer {
  http: Server;
  webSocket: WebSocketEndpoint;
}

/** HTTP and WebSocket on one port: tRPC at /trpc for both, probes and stats beside. */
export function createMetadataServer(options: MetadataServerOptions): MetadataServer {
  const health = () => checkHealth(options.orm, options.blob);
  const ready = steadyReadiness(health, { slowMs: HEALTH_PROBE_MS * 0.9 });
  /** The caller a token speaks for, or null: no token, or one that fails any check. */
  const callerOf = async (token: string | undefined, headers: Headers, remoteAddress: string | null) => {
    const session = await options.verifyToken(token);
    if (!session) return null;
    const ip = clientAddress(headers, remoteAddress, options.trustProxy);
    return { session, caller: { userId: session.userId, ip } };
  };
  let webSocket: WebSocketEndpoint | undefined;
  const http = createHttpServer({
    router: metadataRouter,
    logger: options.logger,
    // Behind a reverse proxy its x-request-id is kept, so proxy and service logs line up.
    trustRequestId: () => options.trustProxy,
    maxBatchSize: options.limits?.maxBatchSize,
    drain: options.drain,
    createContext: async ({ req, remoteAddress }): Promise<MetadataContext> => {
      const signedIn = await callerOf(
        bearerToken(req.headers.get('authorization')),
        req.headers,
        remoteAddress,
      );
      return {
        user: signedIn && createRequestApis(options, signedIn.caller),
        health,
        headers: req.headers,
        signal: req.signal,
        observeProcedure: options.observeProcedure,
      };
    },
    routes: [
      {
        method: 'GET',
        path: '/healthz',
        handle: (_req, res) => sendJson(res, 200, { ok: true, contract: CONTRACT_VERSION }),
      },
      {
        method: 'GET',
        path: '/readyz',
        async handle(_req, res) {
          if (options.drain?.draining) return sendJson(res, 503, { ok: false, draining: true });
          const result = await ready();
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
  // Before server-kit's handler: every answer (tRPC, probes, 404s) names the contract it serves.
  http.prependListener('request', (_req, res) => res.setHeader(CONTRACT_VERSION_HEADER, CONTRACT_VERSION));
  webSocket = attachWebSocket(http, {
    router: metadataRouter,
    logger: options.logger,
    trustRequestId: () => options.trustProxy,
    maxBatchSize: options.limits?.maxBatchSize,
    maxPayloadBytes: options.limits?.wsMaxPayloadBytes,
    maxBufferedBytes: options.limits?.wsMaxBufferedBytes,
    maxSubscriptions: options.limits?.maxSubscriptionsPerConnection,
    createContext: async ({ headers, remoteAddress, connectionParams, closed }): Promise<MetadataContext> => {
      const signedIn = await callerOf(connectionParams?.token, headers, remoteAddress);
      return {
        user:
          signedIn &&
          createConnectionApis(
            options,
            signedIn.caller,
            sessionEndSignal(signedIn.session.expiresAt, closed),
          ),
        health,
        headers,
        signal: closed,
        observeProcedure: options.observeProcedure,
      };
    },
  });
  return { http, webSocket };
}
