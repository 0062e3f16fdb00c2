import { closeServer, createLogger, listen, onShutdown } from '@docstore/server-kit';
import { createBlobGateway } from './adapters/blob-gateway.ts';
import { startStatusListener } from './adapters/status-listener.ts';
import { createTokenVerifier } from './adapters/token-verifier.ts';
import { openDatabase } from './db/orm-config.ts';
import { scheduleReconciler } from './domain/reconciler/schedule.ts';
import { createSecretBox } from './domain/secret-box.ts';
import { createStatusBus } from './domain/status/status-bus.ts';
import { startSweeper } from './domain/sweeper.ts';
import { loadMetadataConfig, type MetadataConfig } from './env.ts';
import { createReconcileRun } from './reconcile-wiring.ts';
import { createMetadataServer } from './server.ts';

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
  const bus = createStatusBus();
  const listener = await startStatusListener({ databaseUrl: config.DATABASE_URL, orm, bus, logger });
  const sweeper = startSweeper({
    orm,
    blob,
    logger,
    uploadTtlSeconds: config.UPLOAD_TTL_SECONDS,
    retentionHours: config.STATUS_RETENTION_HOURS,
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
  });
  const server = createMetadataServer({
    orm,
    blob,
    bus,
    secrets: createSecretBox(config.SETTINGS_ENCRYPTION_KEY),
    logger,
    verifyToken: createTokenVerifier(config),
    trustProxy: config.TRUST_PROXY,
    maxUploadBytes: config.MAX_UPLOAD_BYTES,
    uploadTtlSeconds: config.UPLOAD_TTL_SECONDS,
  });
  const port = await listen(server.http, config.METADATA_PORT, config.METADATA_HOST);
  logger.info('listening', { port, url: `http://${config.METADATA_HOST}:${port}`, trpc: '/trpc' });
  onShutdown(logger, async () => {
    sweeper.stop();
    reconciler.stop();
    await server.webSocket.close();
    await closeServer(server.http);
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
