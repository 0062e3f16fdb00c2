// First: an unsupported Node.js gets one clear line, not a stack trace.
import '@docstore/server-kit/require-node';
import {
  closeServer,
  collectEvery,
  createDrain,
  createLogger,
  createServiceMetrics,
  listen,
  onShutdown,
  startMetricsEndpoint,
  youngGenerationCollector,
} from '@docstore/server-kit';
import { createBlobGateway } from './adapters/blob-gateway.ts';
import { createJobQueue } from './adapters/job-queue.ts';
import { startStatusListener } from './adapters/status-listener.ts';
import { createTokenVerifier } from './adapters/token-verifier.ts';
import { openDatabase } from './db/orm-config.ts';
import { scheduleReconciler } from './domain/reconciler/schedule.ts';
import { resealSettings } from './domain/reseal-settings.ts';
import { createSecretBox } from './domain/secret-box.ts';
import { createStatusBus } from './domain/status/status-bus.ts';
import { startSweeper } from './domain/sweeper.ts';
import { loadMetadataConfig, type MetadataConfig } from './env.ts';
import { classifyDocumentTask } from './jobs/classify-document.ts';
import { processDocumentTask } from './jobs/process-document.ts';
import { removeObjectTask } from './jobs/remove-object.ts';
import { createMetadataMetrics } from './metrics.ts';
import { createReconcileRun } from './reconcile-wiring.ts';
import { createMetadataServer } from './server.ts';
import { CLASSIFY_DOCUMENT_TASK } from './store/ai.ts';
import { REMOVE_OBJECT_TASK } from './store/jobs.ts';
import { PROCESS_DOCUMENT_TASK } from './store/processing-jobs.ts';
import { createStore } from './store/store.ts';

/** How many bytes streamed through uploads between two young-generation collections. */
const STREAMED_BYTES_PER_YOUNG_COLLECTION = 8 * 1024 * 1024;

async function main(): Promise<void> {
  let config: MetadataConfig;
  try {
    config = loadMetadataConfig(process.env);
  } catch (error) {
    process.stderr.write(`metadata: ${(error as Error).message}\n`);
    process.exit(1);
  }
  const logger = createLogger('metadata', { format: config.LOG_FORMAT, level: config.LOG_LEVEL });
  const timeouts = {
    connectMs: config.DATABASE_CONNECT_TIMEOUT_MS,
    statementMs: config.DATABASE_STATEMENT_TIMEOUT_MS,
    idleInTransactionMs: config.DATABASE_IDLE_IN_TRANSACTION_TIMEOUT_MS,
  };
  const orm = await openDatabase({ clientUrl: config.DATABASE_URL, timeouts });
  logger.info('database ready: migrations applied');
  const service = createServiceMetrics('metadata');
  let webSocketClients = () => 0;
  const metrics = createMetadataMetrics(service.registry, {
    webSocketClients: () => webSocketClients(),
    orm,
  });
  const blob = createBlobGateway({
    url: config.BLOB_URL,
    token: config.BLOB_SERVICE_TOKEN,
    timeouts: { connectMs: config.BLOB_CONNECT_TIMEOUT_MS, idleMs: config.BLOB_IDLE_TIMEOUT_MS },
    signedPutMetrics: metrics.signedPuts,
  });
  const bus = metrics.meter(createStatusBus());
  const listener = await startStatusListener({
    databaseUrl: config.DATABASE_URL,
    orm,
    bus,
    logger,
    timeouts,
  });
  const secrets = createSecretBox(config.SETTINGS_ENCRYPTION_KEY, config.SETTINGS_ENCRYPTION_KEYS_OLD);
  // Work decided in a transaction and done after its commit (object removal; later, processing).
  const jobs = createJobQueue({
    databaseUrl: config.DATABASE_URL,
    logger,
    concurrency: config.JOB_CONCURRENCY,
    deadWorkerCheckMs: config.JOB_DEAD_WORKER_CHECK_SECONDS * 1000,
    deadWorkerGraceMs: config.JOB_DEAD_WORKER_GRACE_SECONDS * 1000,
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
  const reconcileRun = createReconcileRun({
    orm,
    databaseUrl: config.DATABASE_URL,
    blobUrl: config.BLOB_URL,
    blobServiceToken: config.BLOB_SERVICE_TOKEN,
    graceSeconds: config.UPLOAD_TTL_SECONDS,
  });
  const reconciler = scheduleReconciler({
    intervalMs: config.RECONCILE_INTERVAL_SECONDS * 1000,
    run: () => reconcileRun(false),
    logger,
    metrics: metrics.reconcile,
  });
  const drain = createDrain();
  const server = createMetadataServer({
    drain,
    orm,
    blob,
    bus,
    secrets,
    logger,
    verifyToken: createTokenVerifier(config),
    trustProxy: config.TRUST_PROXY,
    limits: {
      maxBatchSize: config.MAX_BATCH_SIZE,
      wsMaxPayloadBytes: config.WS_MAX_PAYLOAD_BYTES,
      wsMaxBufferedBytes: config.WS_MAX_BUFFERED_BYTES,
      maxSubscriptionsPerConnection: config.MAX_SUBSCRIPTIONS_PER_CONNECTION,
    },
    maxUploadBytes: config.MAX_UPLOAD_BYTES,
    uploadTtlSeconds: config.UPLOAD_TTL_SECONDS,
    proxiedUploadRoute: config.PROXIED_UPLOAD_ROUTE,
    // Frees the chunks an upload already passed on before they add up to a full collection.
    onBytesStreamed: collectEvery(STREAMED_BYTES_PER_YOUNG_COLLECTION, youngGenerationCollector()),
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
    // Readiness turns 503 and new calls are refused at once; subscribers are told to reconnect
    // (1012) and resume elsewhere; running calls get the grace period; the pools close last.
    const graceMs = config.SHUTDOWN_GRACE_SECONDS * 1000;
    sweeper.stop();
    reconciler.stop();
    const draining = drain.drain(graceMs);
    await server.webSocket.close('the server is shutting down; reconnect');
    await draining;
    await closeServer(server.http);
    await jobs.stop();
    await stopMetrics();
    await listener.close();
    await orm.close();
    logger.info('stopped');
  });
}

main().catch((error: unknown) => {
  process.stderr.write(
    `metadata: could not start: ${error instanceof Error ? error.message : String(error)}\n`,
  );
  process.exit(1);
});
