import { closeServer, createDrain, createLogger, listen, onShutdown } from '@docstore/server-kit';
import { createBlobGateway } from './adapters/blob-gateway.ts';
import { startStatusListener } from './adapters/status-listener.ts';
import { createTokenVerifier } from './adapters/token-verifier.ts';
import { openDatabase } from './db/orm-config.ts';
import { createSecretBox } from './domain/secret-box.ts';
import { createStatusBus } from './domain/status/status-bus.ts';
import { startSweeper } from './domain/sweeper.ts';
import { loadMetadataConfig, type MetadataConfig } from './env.ts';
import { createMetadataServer } from './server.ts';

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
  const blob = createBlobGateway({
    url: config.BLOB_URL,
    token: config.BLOB_SERVICE_TOKEN,
    timeouts: { connectMs: config.BLOB_CONNECT_TIMEOUT_MS, idleMs: config.BLOB_IDLE_TIMEOUT_MS },
  });
  const bus = createStatusBus();
  const listener = await startStatusListener({
    databaseUrl: config.DATABASE_URL,
    orm,
    bus,
    logger,
    timeouts,
  });
  const sweeper = startSweeper({
    orm,
    blob,
    logger,
    uploadTtlSeconds: config.UPLOAD_TTL_SECONDS,
    retentionHours: config.STATUS_RETENTION_HOURS,
  });
  const drain = createDrain();
  const server = createMetadataServer({
    drain,
    orm,
    blob,
    bus,
    secrets: createSecretBox(config.SETTINGS_ENCRYPTION_KEY),
    logger,
    verifyToken: createTokenVerifier(config),
    trustProxy: config.TRUST_PROXY,
    limits: {
      maxBatchSize: config.MAX_BATCH_SIZE,
      wsMaxPayloadBytes: config.WS_MAX_PAYLOAD_BYTES,
      maxSubscriptionsPerConnection: config.MAX_SUBSCRIPTIONS_PER_CONNECTION,
    },
    maxUploadBytes: config.MAX_UPLOAD_BYTES,
    uploadTtlSeconds: config.UPLOAD_TTL_SECONDS,
  });
  const port = await listen(server.http, config.METADATA_PORT, config.METADATA_HOST);
  logger.info('listening', { port, url: `http://${config.METADATA_HOST}:${port}`, trpc: '/trpc' });
  onShutdown(logger, async () => {
    // Readiness turns 503 and new calls are refused at once; subscribers are told to reconnect
    // (1012) and resume elsewhere; running calls get the grace period; the pools close last.
    const graceMs = config.SHUTDOWN_GRACE_SECONDS * 1000;
    sweeper.stop();
    const draining = drain.drain(graceMs);
    await server.webSocket.close('the server is shutting down; reconnect');
    await draining;
    await closeServer(server.http);
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
