/**
 * `pnpm start`: the whole stack on embedded defaults. Starts what is not configured from outside
 * (S3_ENDPOINT unset: s3rver; DATABASE_URL unset: PostgreSQL; both keep their data in the data
 * folder), then the blob and metadata services, each a child process under supervision (a crashed
 * one is restarted with backoff on the same port; see supervise.ts), prints the endpoints, and on
 * Ctrl-C or SIGTERM stops everything it started, in reverse order. Every child also watches this
 * process (parent-watch.ts): killed even with SIGKILL, it takes the whole stack down with it.
 */
import '@docstore/server-kit/require-node';
import { mkdir } from 'node:fs/promises';
import { resolve } from 'node:path';
import { devSecrets, writeDevToken } from './dev-secrets.ts';
import { showLogs } from './pretty-logs.ts';
import { type ServiceName, type ServiceProcess, startService } from './service-process.ts';
import { type Supervised, supervise } from './supervise.ts';
import { startWebServer } from './web-server.ts';

const env = process.env;
const dataDir = resolve(env.DOCSTORE_DATA_DIR ?? '.docstore');
const S3RVER_KEY = 'S3RVER';
const running: Supervised[] = [];
let stopping = false;
/** The web app's server runs in this process (it only serves files and forwards /trpc). */
let stopWeb: () => Promise<void> = async () => {};

async function stopAll(exitCode: number): Promise<never> {
  if (!stopping) {
    stopping = true;
    // A terminal's Ctrl-C reaches the children too: none may be restarted while the others stop.
    for (const child of running) child.release();
    await stopWeb().catch((error: unknown) => console.error(String(error)));
    for (const child of running.reverse())
      await child.stop().catch((error: unknown) => console.error(String(error)));
  }
  process.exit(exitCode);
}

/**
 * Starts a devstack process under supervision. Its port variable starts as given (0: a free port)
 * and keeps the first port it got, so that a restarted child is found where the others expect it.
 */
async function keep(
  name: ServiceName,
  childEnv: Record<string, string>,
  portVar: string,
): Promise<ServiceProcess> {
  let port = childEnv[portVar] ?? '0';
  const child = await supervise(name, async () => {
    // Children always log JSON (their start-up line is read as JSON); showLogs makes it readable.
    const service = await startService(name, { ...childEnv, LOG_FORMAT: 'json', [portVar]: port });
    port = String(service.port);
    showLogs(service.child, env.LOG_FORMAT);
    return service;
  });
  running.push(child);
  return child.current;
}

async function s3Settings(): Promise<Record<string, string>> {
  if (env.S3_ENDPOINT) return {};
  const keys = { S3_ACCESS_KEY: S3RVER_KEY, S3_SECRET_KEY: S3RVER_KEY };
  const s3 = await keep(
    's3',
    {
      ...keys,
      DOCSTORE_S3_DIR: `${dataDir}/s3`,
      DOCSTORE_S3_PORT: env.DOCSTORE_S3_PORT ?? '0',
      // The web app PUTs large files straight to the bucket from the browser.
      DOCSTORE_S3_CORS_BUCKETS: env.S3_BUCKET ?? 'docstore',
    },
    'DOCSTORE_S3_PORT',
  );
  console.log(`docstore: embedded S3 (s3rver) at ${s3.url}, data in ${dataDir}/s3`);
  return { ...keys, S3_ENDPOINT: s3.url };
}

async function databaseUrl(): Promise<string> {
  if (env.DATABASE_URL) return env.DATABASE_URL;
  const postgres = await keep(
    'postgres',
    { DOCSTORE_PG_DIR: `${dataDir}/postgres`, DOCSTORE_PG_PORT: env.DOCSTORE_PG_PORT ?? '0' },
    'DOCSTORE_PG_PORT',
  );
  const url = `postgres://postgres:postgres@127.0.0.1:${postgres.port}/postgres`;
  console.log(`docstore: embedded PostgreSQL at ${url}, data in ${dataDir}/postgres`);
  return url;
}

async function main(): Promise<void> {
  process.once('SIGINT', () => void stopAll(0));
  process.once('SIGTERM', () => void stopAll(0));
  await mkdir(dataDir, { recursive: true, mode: 0o755 });

  const secrets = await devSecrets(dataDir, env);
  const s3 = await s3Settings();
  const blob = await keep(
    'blob',
    { ...s3, BLOB_SERVICE_TOKEN: secrets.BLOB_SERVICE_TOKEN, BLOB_PORT: env.BLOB_PORT ?? '4001' },
    'BLOB_PORT',
  );
  const metadata = await keep(
    'metadata',
    {
      ...secrets,
      DATABASE_URL: await databaseUrl(),
      BLOB_URL: blob.url,
      METADATA_PORT: env.METADATA_PORT ?? '4000',
    },
    'METADATA_PORT',
  );

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
  stopWeb = () => web.stop();
  console.log(`docstore: web app at ${web.url}`);
  if (devToken)
    console.log(
      `docstore: sign in as the dev user (keep this link to yourself): ${web.signInUrl(devToken.token)}`,
    );
  console.log('docstore: running; crashed services restart by themselves; Ctrl-C stops everything');
}

main().catch(async (error: unknown) => {
  console.error(`docstore: could not start: ${error instanceof Error ? error.message : String(error)}`);
  await stopAll(1);
});
