import { randomBytes, randomUUID } from 'node:crypto';
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { mintToken } from '@docstore/contract';
import {
  createDatabase,
  type EmbeddedPg,
  type ServiceProcess,
  scratchDir,
  startBuiltService,
  startEmbeddedPostgres,
  startService,
  startTcpRelay,
} from '@docstore/devstack';

export const SERVICE_HOOK = fileURLToPath(new URL('./service-hook.mjs', import.meta.url));
/** `BENCH_PROFILE_DIR=/some/dir`: CPU profiles of the metadata service over each measured window. */
const PROFILE_DIR = process.env.BENCH_PROFILE_DIR;

export interface BenchStack {
  s3: ServiceProcess;
  blob: ServiceProcess;
  metadata: ServiceProcess;
  postgres: EmbeddedPg;
  /** The postmaster's pid (its backends are its children). */
  postgresPid: number;
  databaseUrl: string;
  bucket: string;
  s3Keys: { accessKey: string; secretKey: string };
  /** The HS256 secret the metadata service verifies access tokens with: mint tokens with it. */
  authSecret: string;
  /** The credential the metadata service presents to the blob service (and the bench, to call blob). */
  blobServiceToken: string;
  stop(): Promise<void>;
}

/**
 * The whole stack, each server in a process of its own: the services compiled (`pnpm bench` builds
 * first), as their images run them; s3rver and PostgreSQL as `pnpm start` runs them.
 */
export async function startBenchStack(options: {
  maxUploadBytes: number;
  /** Slow the S3 server down to this many bytes per second (the services see it through a relay). */
  s3BytesPerSecond?: number;
}): Promise<BenchStack> {
  const scratch = await scratchDir('bench');
  const dir = scratch.path;
  const stops: Array<() => Promise<void>> = [() => scratch.remove()];
  const stop = async () => {
    for (const step of stops.reverse()) await step();
  };
  try {
    const s3Keys = { accessKey: 'S3RVER', secretKey: 'S3RVER' };
    // Fresh per run, like the test suite's: nothing guessable, nothing that outlives the stack.
    const authSecret = randomBytes(32).toString('hex');
    const blobServiceToken = randomBytes(24).toString('hex');
    const s3 = await startService('s3', { DOCSTORE_S3_DIR: join(dir, 's3') });
    stops.push(() => s3.stop());
    const postgres = await startEmbeddedPostgres({ dataDir: join(dir, 'postgres') });
    stops.push(() => postgres.stop());
    const postmasterPid = await readFile(join(dir, 'postgres', 'postmaster.pid'), 'utf8');
    const postgresPid = Number(postmasterPid.split('\n')[0]);
    const databaseUrl = await createDatabase(postgres.url, 'bench');
    const bucket = 'bench';
    let s3Endpoint = s3.url;
    if (options.s3BytesPerSecond !== undefined) {
      const throttle = await startTcpRelay(s3.port, { bytesPerSecond: options.s3BytesPerSecond });
      stops.push(() => throttle.close());
      s3Endpoint = throttle.url;
    }
    const blob = await startBuiltService('blob', {
      S3_ENDPOINT: s3Endpoint,
      S3_ACCESS_KEY: s3Keys.accessKey,
      S3_SECRET_KEY: s3Keys.secretKey,
      S3_BUCKET: bucket,
      BLOB_PORT: '0',
      MAX_UPLOAD_BYTES: String(options.maxUploadBytes),
      BLOB_SERVICE_TOKEN: blobServiceToken,
    });
    stops.push(() => blob.stop());
    const metadata = await startBuiltService('metadata', {
      DATABASE_URL: databaseUrl,
      BLOB_URL: blob.url,
      METADATA_PORT: '0',
      SETTINGS_ENCRYPTION_KEY: randomBytes(32).toString('hex'),
      AUTH_JWT_SECRET: authSecret,
      BLOB_SERVICE_TOKEN: blobServiceToken,
      // Inert until signalled: GC + memory report on SIGUSR2, CPU profile windows on SIGWINCH.
      NODE_OPTIONS: `${process.env.NODE_OPTIONS ?? ''} --import ${SERVICE_HOOK}`.trim(),
      ...(PROFILE_DIR ? { BENCH_PROFILE_DIR: PROFILE_DIR, BENCH_PROFILE_NAME: 'metadata' } : {}),
    });
    stops.push(() => metadata.stop());
    return {
      s3,
      blob,
      metadata,
      postgres,
      postgresPid,
      databaseUrl,
      bucket,
      s3Keys,
      authSecret,
      blobServiceToken,
      stop,
    };
  } catch (error) {
    await stop();
    throw error;
  }
}

/** An access token the stack's metadata service accepts, for `userId` (a fresh user by default). */
export function benchToken(
  stack: Pick<BenchStack, 'authSecret'>,
  userId: string = randomUUID(),
): Promise<string> {
  // Long enough for a full run at 1,000,000 documents: an expired token ends live subscriptions.
  return mintToken({ secret: stack.authSecret, userId, ttlSeconds: 6 * 3600 });
}

/** The service's memory right after a full GC (see service-hook.mjs). */
export interface ServiceMemory {
  rss: number;
  heapUsed: number;
  external: number;
  arrayBuffers: number;
}

/**
 * Asks a process that preloads bench/service-hook.mjs (the services of `startBenchStack`, the floor
 * servers) to collect its garbage and report its memory.
 */
export function serviceMemory(
  service: Pick<ServiceProcess, 'child'>,
  timeoutMs = 10_000,
): Promise<ServiceMemory> {
  const stdout = service.child.stdout;
  if (!stdout) return Promise.reject(new Error('the service has no stdout'));
  return new Promise((resolve, reject) => {
    let pending = '';
    // A second 'data' listener: the service's own line reader keeps the stream flowing.
    const onData = (chunk: Buffer) => {
      pending += chunk.toString('utf8');
      const lines = pending.split('\n');
      pending = lines.pop() ?? '';
      const line = lines.find((text) => text.includes('"bench-memory"'));
      if (!line) return;
      done();
      resolve(JSON.parse(line) as ServiceMemory);
    };
    const timer = setTimeout(() => {
      done();
      reject(new Error('the service did not report its memory'));
    }, timeoutMs);
    const done = () => {
      clearTimeout(timer);
      stdout.off('data', onData);
    };
    stdout.on('data', onData);
    service.child.kill('SIGUSR2');
  });
}

/**
 * Runs `work`, CPU-profiling the metadata service meanwhile when BENCH_PROFILE_DIR is set
 * (each window one file, numbered in order; `label` goes to the log).
 */
export async function profiled<T>(
  stack: BenchStack,
  label: string,
  work: () => Promise<T>,
  log: (line: string) => void,
): Promise<T> {
  if (!PROFILE_DIR) return work();
  stack.metadata.child.kill('SIGWINCH');
  try {
    return await work();
  } finally {
    stack.metadata.child.kill('SIGWINCH');
    log(`  profiled: ${label} (metadata-${stack.metadata.child.pid}-N.cpuprofile in ${PROFILE_DIR})`);
  }
}

/** The path of a file of the bench (a floor server's entry point, say). */
export function benchFile(name: string): string {
  return fileURLToPath(new URL(`./${name}`, import.meta.url));
}
