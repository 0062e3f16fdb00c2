import type { Server, ServerResponse } from 'node:http';
import { pipeline } from 'node:stream/promises';
import {
  BLOB_OBJECTS_PATH,
  type BlobApi,
  blobRouter,
  CONTRACT_VERSION,
  CONTRACT_VERSION_HEADER,
  DocstoreError,
  objectKeySchema,
} from '@docstore/contract';
import {
  createHttpServer,
  type Drain,
  type Logger,
  type Route,
  type ServiceMetrics,
  sendJson,
  steadyReadiness,
} from '@docstore/server-kit';
import type { StorageBackend } from './adapters/storage-backend.ts';
import type { BlobMetrics } from './metrics.ts';
import { createServiceAuth } from './service-auth.ts';

const STATUS_BY_CODE: Partial<Record<DocstoreError['code'], number>> = {
  NOT_FOUND: 404,
  INVALID_INPUT: 400,
  SERVICE_UNAVAILABLE: 503,
};

function sendError(res: ServerResponse, error: unknown): void {
  if (!(error instanceof DocstoreError)) throw error;
  sendJson(res, STATUS_BY_CODE[error.code] ?? 500, { error: error.message, appCode: error.code });
}

/** Streams an object out: tRPC has no binary output, so downloads take this plain route. */
function objectRoute(
  storage: StorageBackend,
  authorized: (authorization?: string) => boolean,
  metrics?: BlobMetrics,
): Route {
  return {
    method: 'GET',
    path: BLOB_OBJECTS_PATH,
    async handle(req, res, url) {
      if (!authorized(req.headers.authorization)) {
        return sendJson(res, 401, {
          error: 'the blob service answers only its callers',
          appCode: 'UNAUTHORIZED',
        });
      }
      const key = objectKeySchema.safeParse(decodeURIComponent(url.pathname.slice(BLOB_OBJECTS_PATH.length)));
      if (!key.success) return sendJson(res, 400, { error: 'not an object key', appCode: 'INVALID_INPUT' });
      const aborted = new AbortController();
      res.once('close', () => aborted.abort());
      try {
        const { body, info } = await storage.get(key.data, aborted.signal);
        res.writeHead(200, {
          'content-type': info.contentType,
          'content-length': info.size,
          etag: `"${info.etag}"`,
          'last-modified': info.lastModified.toUTCString(),
        });
        if (req.method === 'HEAD') {
          body.destroy();
          res.end();
          return;
        }
        metrics?.countDownload(body);
        await pipeline(body, res);
      } catch (error) {
        if (res.headersSent) throw error;
        sendError(res, error);
      }
    },
  };
}

export function createBlobServer(options: {
  api: BlobApi;
  storage: StorageBackend;
  logger: Logger;
  serviceToken: string;
  /** Without it, nothing is measured (tests that build a server alone). */
  metrics?: { service: ServiceMetrics; blob: BlobMetrics };
  drain?: Drain;
}): Server {
  const { storage, logger, metrics } = options;
  const api = metrics ? metrics.blob.meter(options.api) : options.api;
  const authorized = createServiceAuth(options.serviceToken);
  // The S3 probe's budget is 2 s (blob-service.ts); a failure that took that long was a timeout.
  const ready = steadyReadiness(() => api.health(), { slowMs: 1_900 });
  const server = createHttpServer({
    router: blobRouter,
    logger,
    // Only the authenticated caller (the metadata service) may name the request it works for.
    trustRequestId: (req) => authorized(req.headers.authorization),
    drain: options.drain,
    createContext: async ({ req }) => ({
      blob: api,
      headers: req.headers,
      signal: req.signal,
      authorized: authorized(req.headers.get('authorization')),
      observeProcedure: metrics?.service.observeProcedure,
    }),
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
          const health = await ready();
          sendJson(res, health.ok ? 200 : 503, health);
        },
      },
      objectRoute(storage, authorized, metrics?.blob),
    ],
  });
  // Before server-kit's handler: every answer (tRPC, probes, objects) names the contract it serves.
  server.prependListener('request', (_req, res) => res.setHeader(CONTRACT_VERSION_HEADER, CONTRACT_VERSION));
  return server;
}
