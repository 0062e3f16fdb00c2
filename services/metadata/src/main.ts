import {
  closeServer,
  createLogger,
  createServiceMetrics,
  listen,
  onShutdown,
  startMetricsEndpoint,
} from '@docstore/server-kit';
import { createBlobGateway } from './adapters/blob-gateway.ts';
import { createJobQueue } from './adapters/job-queue.ts';
import { startStatusListener } from './adapters/status-listener.ts';
import { createTokenVerifier } from './adapters/token-verifier.ts';
import { openDatabase } from './db/orm-config.ts';
import { resealSettings } from './domain/reseal-settings.ts';
import { createSecretBox } from './domain/secret-box.ts';
import { createStatusBus } from './domain/status/status-bus.ts';
import { startSweeper } from './domain/sweeper.ts';
import { loadMetadataConfig, type MetadataConfig } from './env.ts';
import { classifyDocumentTask } from './jobs/classify-document.ts';
import { processDocumentTask } from './jobs/process-document.ts';
import { removeObjectTask } from './jobs/remove-object.ts';
import { createMetadataMetrics } from './metrics.ts';
import { createMetadataServer } from './server.ts';
import { CLASSIFY_DOCUMENT_TASK } from './store/ai.ts';
import { REMOVE_OBJECT_TASK } from './store/jobs.ts';
import { PROCESS_DOCUMENT_TASK } from './store/processing-jobs.ts';
import { createStore } from './store/store.ts';

async function main(): Promise<void> {
  const logger = createLogger('metadata');
  let config: MetadataConfig;
  try {
    config = loadMetadataConfig(process.env);
  } catch (error) {
    process.stderr.write(`metadata: ${(error as Error).message}\n`);
    process.exit(1);
  }
  const orm = await openDatabase({ clientUrl: config.DATABASE_URL });
  logger.info('database ready: migrations applied');
  const blob = createBlobGateway({ url: config.BLOB_URL, token: config.BLOB_SERVICE_TOKEN });
  const service = createServiceMetrics('metadata');
  let webSocketClients = () => 0;
  const metrics = createMetadataMetrics(service.registry, {
    webSocketClients: () => webSocketClients(),
    orm,
  });
  const bus = metrics.meter(createStatusBus());
  const listener = await startStatusListener({ databaseUrl: config.DATABASE_URL, orm, bus, logger });
  const secrets = createSecretBox(config.SETTINGS_ENCRYPTION_KEY, config.SETTINGS_ENCRYPTION_KEYS_OLD);
  // Work decided in a transaction and done after its commit (object removal; later, processing).
  const jobs = createJobQueue({
    databaseUrl: config.DATABASE_URL,
    logger,
    concurrency: config.JOB_CONCURRENCY,
  });
  jobs.register(REMOVE_OBJECT_TASK, removeObjectTask({ blob, store: () => createStore(orm.em) }));
  jobs.register(
    PROCESS_DOCUMENT_TASK,
    processDocumentTask({
      blob,
      store: () => createStore(orm.em),
      logger,
      limits: { timeoutMs: config.EXTRACTION_TIMEOUT_MS, maxInputBytes: config.EXTRACTION_MAX_BYTES },
    }),
  );
  jobs.register(
    CLASSIFY_DOCUMENT_TASK,
    classifyDocumentTask({ store: () => createStore(orm.em), secrets, logger }),
  );
  await jobs.start();
  const sweeper = startSweeper({
    orm,
    logger,
    uploadTtlSeconds: config.UPLOAD_TTL_SECONDS,
    failedRetentionHours: config.FAILED_RETENTION_HOURS,
    retentionHours: config.STATUS_RETENTION_HOURS,
    metrics: metrics.sweeper,
  });
  const server = createMetadataServer({
    orm,
    blob,
    bus,
    secrets,
    logger,
    verifyToken: createTokenVerifier(config),
    trustProxy: config.TRUST_PROXY,
    maxUploadBytes: config.MAX_UPLOAD_BYTES,
    uploadTtlSeconds: config.UPLOAD_TTL_SECONDS,
    observeProcedure: service.observeProcedure,
  });
  webSocketClients = () => server.webSocket.clientCount;
  const stopMetrics = await startMetricsEndpoint(service.registry, config, logger);
  const port = await listen(server.http, config.METADATA_PORT, config.METADATA_HOST);
  logger.info('listening', { port, url: `http://${config.METADATA_HOST}:${port}`, trpc: '/trpc' });
  // After a key rotation, values sealed with an old key are sealed again in the background; the log
  // line tells the operator when no value needs an old key any more.
  resealSettings(orm, secrets).then(
    (result) => {
      if (result.unreadable > 0) logger.warn('settings values no configured key opens', { ...result });
      else if (result.resealed > 0 || config.SETTINGS_ENCRYPTION_KEYS_OLD.length > 0)
        logger.info('settings resealed with the current key', { ...result, keyId: secrets.currentKeyId });
    },
    (error: unknown) => logger.warn('resealing settings failed', { error: String(error) }),
  );
  onShutdown(logger, async () => {
    sweeper.stop();
    await server.webSocket.close();
    await closeServer(server.http);
    await jobs.stop();
    await stopMetrics();
    await listener.close();
    await orm.close();
  });
}

main().catch((error: unknown) => {
  process.stderr.write(
    `metadata: could not start: ${error instanceof Error ? error.message : String(error)}\n`,
  );
  process.exit(1);
});
