import { createServer, type Server } from 'node:http';
import { Counter, collectDefaultMetrics, Gauge, Histogram, Registry } from 'prom-client';
import { z } from 'zod';
import { closeServer, listen } from './lifecycle.ts';
import type { Logger } from './logger.ts';

export { Counter, Gauge, Histogram, Registry } from 'prom-client';

/**
 * The metrics endpoint's configuration, shared by every service's env schema. `/metrics` is served on
 * a port of its own, never on the public one: a reverse proxy in front of the service then cannot
 * expose it by mistake, and no scrape token has to be kept, rotated or kept out of logs. Unset: no
 * metrics endpoint at all; 0: a free port (logged as `metrics listening`).
 */
export const metricsEnvShape = {
  METRICS_PORT: z.coerce.number().int().min(0).max(65535).optional(),
  /** Where the metrics port listens; 0.0.0.0 inside a container so Prometheus can reach it. */
  METRICS_HOST: z.string().min(1).default('127.0.0.1'),
};

/** Seconds: from a 1 ms cache hit to a 30 s upload (the default upload deadline lies beyond). */
const DURATION_BUCKETS = [0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30];

/** The structural twin of the contract's ProcedureCall (server-kit does not import the contract). */
export interface ObservedCall {
  path: string;
  type: 'query' | 'mutation' | 'subscription';
  durationMs: number;
  errorCode: string | null;
}

/** One service's metrics: its own registry (tests run several services in one process). */
export interface ServiceMetrics {
  registry: Registry;
  /** Put this in every tRPC context as `observeProcedure`. */
  observeProcedure(call: ObservedCall): void;
}

/**
 * A registry with Node's own process metrics (CPU, memory, event loop lag, GC, handles), every
 * series labelled with the service's name, and the per-procedure series every service has.
 */
export function createServiceMetrics(service: string): ServiceMetrics {
  const registry = new Registry();
  registry.setDefaultLabels({ service });
  collectDefaultMetrics({ register: registry });
  const calls = new Counter({
    name: 'docstore_procedure_calls_total',
    help: 'tRPC procedure calls that finished, failed ones included',
    labelNames: ['procedure', 'type'] as const,
    registers: [registry],
  });
  const errors = new Counter({
    name: 'docstore_procedure_errors_total',
    help: 'tRPC procedure calls that failed, by docstore error code',
    labelNames: ['procedure', 'code'] as const,
    registers: [registry],
  });
  const duration = new Histogram({
    name: 'docstore_procedure_duration_seconds',
    help: 'Time a tRPC procedure took (a subscription: until its stream was set up)',
    labelNames: ['procedure', 'type'] as const,
    buckets: DURATION_BUCKETS,
    registers: [registry],
  });
  return {
    registry,
    observeProcedure({ path, type, durationMs, errorCode }) {
      calls.inc({ procedure: path, type });
      duration.observe({ procedure: path, type }, durationMs / 1000);
      if (errorCode !== null) errors.inc({ procedure: path, code: errorCode });
    },
  };
}

/** A gauge whose value is read when Prometheus scrapes (a pool's size, a live connection count). */
export function sampledGauge(registry: Registry, name: string, help: string, read: () => number): Gauge {
  return new Gauge({
    name,
    help,
    registers: [registry],
    collect() {
      this.set(read());
    },
  });
}

/**
 * Serves `GET /metrics` (Prometheus text format) and nothing else, on its own port. The caller
 * listens on it (`listen(server, port, host)`) and closes it at shutdown.
 */
export function createMetricsServer(registry: Registry, logger: Logger): Server {
  return createServer((req, res) => {
    // A request body here is unexpected; drain it so the answer reaches the client.
    req.resume();
    if (req.url !== '/metrics' || (req.method !== 'GET' && req.method !== 'HEAD')) {
      res.writeHead(404, { 'content-type': 'text/plain' }).end('not found\n');
      return;
    }
    registry.metrics().then(
      (text) => {
        res.writeHead(200, { 'content-type': registry.contentType });
        res.end(req.method === 'HEAD' ? undefined : text);
      },
      (error: unknown) => {
        logger.error('metrics collection failed', { error: String(error) });
        res.writeHead(500, { 'content-type': 'text/plain' }).end('metrics collection failed\n');
      },
    );
  });
}

/**
 * Starts the metrics port when METRICS_PORT is set and logs `metrics listening` with its port;
 * resolves with a stop function (a no-op when metrics are off).
 */
export async function startMetricsEndpoint(
  registry: Registry,
  config: { METRICS_PORT?: number | undefined; METRICS_HOST: string },
  logger: Logger,
): Promise<() => Promise<void>> {
  if (config.METRICS_PORT === undefined) return async () => {};
  const server = createMetricsServer(registry, logger);
  const port = await listen(server, config.METRICS_PORT, config.METRICS_HOST);
  logger.info('metrics listening', { port, url: `http://${config.METRICS_HOST}:${port}/metrics` });
  return () => closeServer(server);
}
