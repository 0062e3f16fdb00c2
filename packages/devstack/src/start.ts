/**
 * `pnpm start`: the whole stack on embedded defaults. Starts what is not configured from outside
 * (S3_ENDPOINT unset: s3rver; DATABASE_URL unset: PostgreSQL; both keep their data in the data
 * folder), then the blob and metadata services as child processes, prints the endpoints, and on
 * Ctrl-C or SIGTERM stops everything it started, in reverse order.
 */
import { mkdir } from 'node:fs/promises';
import { resolve } from 'node:path';
import { devSecrets, writeDevToken } from './dev-secrets.ts';
import { startEmbeddedPostgres } from './embedded-postgres.ts';
import { startEmbeddedS3 } from './embedded-s3.ts';
import { type ServiceProcess, startService } from './service-process.ts';
import { startWebServer } from './web-server.ts';

type Stop = () => Promise<void>;

const env = process.env;
const dataDir = resolve(env.DOCSTORE_DATA_DIR ?? '.docstore');
const stops: Stop[] = [];
let stopping = false;

async function stopAll(exitCode: number): Promise<never> {
  stopping = true;
  for (const stop of stops.reverse()) await stop().catch((error: unknown) => console.error(String(error)));
  process.exit(exitCode);
}

function watch(name: string, service: ServiceProcess): void {
  service.child.once('exit', (code) => {
    if (stopping) return;
    console.error(`docstore: ${name} exited with ${code}; stopping the stack`);
    void stopAll(1);
  });
  // The services log JSON lines; pass them through for the developer.
  service.child.stdout?.on('data', (text: Buffer) => process.stdout.write(text));
  service.child.stderr?.on('data', (text: Buffer) => process.stderr.write(text));
}

async function s3Settings(): Promise<Record<string, string>> {
  if (env.S3_ENDPOINT) return {};
  const s3 = await startEmbeddedS3({
    dataDir: `${dataDir}/s3`,
    port: env.DOCSTORE_S3_PORT ? Number(env.DOCSTORE_S3_PORT) : 0,
    // The web app PUTs large files straight to the bucket from the browser.
    corsBuckets: [env.S3_BUCKET ?? 'docstore'],
  });
  stops.push(() => s3.stop());
  console.log(`docstore: embedded S3 (s3rver) at ${s3.endpoint}, data in ${dataDir}/s3`);
  return { S3_ENDPOINT: s3.endpoint, S3_ACCESS_KEY: s3.accessKeyId, S3_SECRET_KEY: s3.secretAccessKey };
}

async function databaseUrl(): Promise<string> {
  if (env.DATABASE_URL) return env.DATABASE_URL;
  const postgres = await startEmbeddedPostgres({
    dataDir: `${dataDir}/postgres`,
    port: env.DOCSTORE_PG_PORT ? Number(env.DOCSTORE_PG_PORT) : 0,
  });
  stops.push(() => postgres.stop());
  console.log(`docstore: embedded PostgreSQL at ${postgres.url}, data in ${dataDir}/postgres`);
  return postgres.url;
}

async function main(): Promise<void> {
  // embedded-postgres's exit hook exits on these signals as soon as PostgreSQL is down, which would
  // cut our own shutdown short; stopAll() stops PostgreSQL too, after the services.
  process.removeAllListeners('SIGINT');
  process.removeAllListeners('SIGTERM');
  process.once('SIGINT', () => void stopAll(0));
  process.once('SIGTERM', () => void stopAll(0));
  await mkdir(dataDir, { recursive: true, mode: 0o755 });

  const secrets = await devSecrets(dataDir, env);
  const s3 = await s3Settings();
  const blob = await startService('blob', {
    ...s3,
    BLOB_SERVICE_TOKEN: secrets.BLOB_SERVICE_TOKEN,
    BLOB_PORT: env.BLOB_PORT ?? '4001',
  });
  stops.push(() => blob.stop());
  watch('blob', blob);

  const metadata = await startService('metadata', {
    ...secrets,
    DATABASE_URL: await databaseUrl(),
    BLOB_URL: blob.url,
    METADATA_PORT: env.METADATA_PORT ?? '4000',
  });
  stops.push(() => metadata.stop());
  watch('metadata', metadata);

  console.log(`docstore: blob service at ${blob.url} (internal; ready ${blob.url}/readyz)`);
  console.log(
    `docstore: metadata service at ${metadata.url}: tRPC ${metadata.url}/trpc, ready ${metadata.url}/readyz`,
  );
  const devToken = await writeDevToken(dataDir, env, secrets.AUTH_JWT_SECRET);
  if (devToken) {
    console.log(`docstore: dev user ${devToken.userId}; token (30 days) in ${devToken.path}:`);
    console.log(devToken.token);
  }
  const web = await startWebServer({ metadataUrl: metadata.url, port: Number(env.WEB_PORT ?? 4080) });
  stops.push(() => web.stop());
  console.log(`docstore: web app at ${web.url}`);
  if (devToken)
    console.log(
      `docstore: sign in as the dev user (keep this link to yourself): ${web.signInUrl(devToken.token)}`,
    );
  console.log('docstore: running; Ctrl-C stops everything');
}

main().catch(async (error: unknown) => {
  console.error(`docstore: could not start: ${error instanceof Error ? error.message : String(error)}`);
  await stopAll(1);
});
