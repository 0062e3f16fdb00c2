export { createDatabase } from './create-database.ts';
export { type EmbeddedPg, type EmbeddedPgOptions, startEmbeddedPostgres } from './embedded-postgres.ts';
export { type EmbeddedS3, type EmbeddedS3Options, startEmbeddedS3 } from './embedded-s3.ts';
export { preserveExitCode } from './exit-code.ts';
export { freePort } from './free-port.ts';
export { scratchDir } from './scratch-dir.ts';
export {
  type CommandOptions,
  runFailingService,
  SERVICE_NODE_FLAGS,
  type ServiceName,
  type ServiceProcess,
  serviceEntry,
  startBuiltProcess,
  startBuiltService,
  startCommand,
  startProcess,
  startService,
} from './service-process.ts';
export { startTcpRelay, type TcpRelay } from './tcp-relay.ts';
export { buildWebApp, startWebServer, type WebServer, type WebServerOptions } from './web-server.ts';
