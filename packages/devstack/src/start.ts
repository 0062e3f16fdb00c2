/**
 * `pnpm start`: the whole stack on embedded defaults. Starts what is not configured from outside
 * (S3_ENDPOINT unset: s3rver in the data folder), then the services as child processes, prints the
 * endpoints, and on Ctrl-C or SIGTERM stops everything it started, in reverse order.
 */
import { mkdir } from 'node:fs/promises';
import { resolve } from 'node:path';
import { startEmbeddedS3 } from './embedded-s3.ts';
import { type ServiceProcess, startService } from './service-process.ts';

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
  });
  stops.push(() => s3.stop());
  console.log(`docstore: embedded S3 (s3rver) at ${s3.endpoint}, data in ${dataDir}/s3`);
  return { S3_ENDPOINT: s3.endpoint, S3_ACCESS_KEY: s3.accessKeyId, S3_SECRET_KEY: s3.secretAccessKey };
}

async function main(): Promise<void> {
  process.once('SIGINT', () => void stopAll(0));
  process.once('SIGTERM', () => void stopAll(0));
  await mkdir(dataDir, { recursive: true, mode: 0o755 });

  const s3 = await s3Settings();
  const blob = await startService('blob', { ...s3, BLOB_PORT: env.BLOB_PORT ?? '4001' });
  stops.push(() => blob.stop());
  watch('blob', blob);

  console.log(`docstore: blob service at ${blob.url} (tRPC ${blob.url}/trpc, ready ${blob.url}/readyz)`);
  console.log('docstore: running; Ctrl-C stops everything');
}

main().catch(async (error: unknown) => {
  console.error(`docstore: could not start: ${error instanceof Error ? error.message : String(error)}`);
  await stopAll(1);
});
