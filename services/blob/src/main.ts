// First: an unsupported Node.js gets one clear line, not a stack trace.
import '@docstore/server-kit/require-node';
import {
  closeServer,
  createDrain,
  createLogger,
  createServiceMetrics,
  listen,
  onShutdown,
  startMetricsEndpoint,
} from '@docstore/server-kit';
import { createStorageBackend } from './adapters/storage-backend.ts';
import { createBlobService } from './domain/blob-service.ts';
import { loadBlobConfig } from './env.ts';
import { createBlobMetrics } from './metrics.ts';
import { createBlobServer } from './server.ts';

const BUCKET_RETRY_MS = 2_000;

async function main(): Promise<void> {
  let config: ReturnType<typeof loadBlobConfig>;
  try {
    config = loadBlobConfig(process.env);
  } catch (error) {
    process.stderr.write(`blob: ${(error as Error).message}\n`);
    process.exit(1);
  }
  const logger = createLogger('blob', { format: config.LOG_FORMAT, level: config.LOG_LEVEL });
  const storage = createStorageBackend(config);
  const api = createBlobService({ storage, maxUploadBytes: config.MAX_UPLOAD_BYTES, logger });
  const service = createServiceMetrics('blob');
  const drain = createDrain();
  const server = createBlobServer({
    api,
    storage,
    logger,
    serviceToken: config.BLOB_SERVICE_TOKEN,
    metrics: { service, blob: createBlobMetrics(service.registry) },
    drain,
  });

  // S3 may come up after us (docker-compose): serve /readyz as 503 and keep trying meanwhile.
  let bucketTimer: NodeJS.Timeout | undefined;
  const ensureBucket = () =>
    storage.ensureBucket().then(
      () => logger.info('bucket ready', { bucket: storage.bucket }),
      (error: unknown) => {
        // The S3 error's own code (say, InternalError or AccessDenied) says why; the message alone does not.
        const cause = error instanceof Error ? (error.cause as { code?: unknown } | undefined) : undefined;
        logger.warn('bucket not reachable yet; retrying', {
          bucket: storage.bucket,
          error: String(error),
          s3Code: typeof cause?.code === 'string' ? cause.code : null,
        });
        bucketTimer = setTimeout(ensureBucket, BUCKET_RETRY_MS);
      },
    );
  await ensureBucket();

  const port = await listen(server, config.BLOB_PORT, config.BLOB_HOST);
  const stopMetrics = await startMetricsEndpoint(service.registry, config, logger);
  logger.info('listening', { port, url: `http://${config.BLOB_HOST}:${port}` });
  onShutdown(logger, async () => {
    clearTimeout(bucketTimer);
    // Readiness turns 503 and new calls are refused; running ones get the grace period.
    await drain.drain(config.SHUTDOWN_GRACE_SECONDS * 1000);
    await closeServer(server);
    await stopMetrics();
    logger.info('stopped');
  });
}

main().catch((error: unknown) => {
  process.stderr.write(`blob: could not start: ${error instanceof Error ? error.message : String(error)}\n`);
  process.exit(1);
});
