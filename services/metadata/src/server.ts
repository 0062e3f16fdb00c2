import type { Server } from 'node:http';
import { metadataRouter } from '@docstore/contract';
import { createHttpServer, sendJson } from '@docstore/server-kit';
import { checkHealth } from './domain/health.ts';
import { createRequestApis, type MetadataDeps } from './domain/request-apis.ts';

export interface MetadataServerOptions extends MetadataDeps {
  /** Until authentication lands every request runs as this user. */
  devUserId: string;
}

export function createMetadataServer(options: MetadataServerOptions): Server {
  const health = () => checkHealth(options.orm, options.blob);
  return createHttpServer({
    router: metadataRouter,
    logger: options.logger,
    createContext: async ({ req, remoteAddress }) => ({
      ...createRequestApis(options, { userId: options.devUserId, ip: remoteAddress }),
      health,
      headers: req.headers,
      signal: req.signal,
    }),
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
    ],
  });
}
