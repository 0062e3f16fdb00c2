import { randomBytes, randomUUID } from 'node:crypto';
import { chmod, mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { mintToken } from '@docstore/contract';
import {
  createDatabase,
  type EmbeddedPg,
  type ServiceProcess,
  startEmbeddedPostgres,
  startService,
} from '@docstore/devstack';
import { startThrottleProxy } from './throttle-proxy.ts';

export interface BenchStack {
  s3: ServiceProcess;
  blob: ServiceProcess;
  metadata: ServiceProcess;
  postgres: EmbeddedPg;
  databaseUrl: string;
  bucket: string;
  s3Keys: { accessKey: string; secretKey: string };
  /** The HS256 secret the metadata service verifies access tokens with: mint tokens with it. */
  authSecret: string;
  /** The credential the metadata service presents to the blob service (and the bench, to call blob). */
  blobServiceToken: string;
  stop(): Promise<void>;
}

/** The whole stack, each server in a process of its own, the way `pnpm start` runs it. */
export async function startBenchStack(options: {
  maxUploadBytes: number;
  /** Slow the S3 server down to this many bytes per second (the services see it through a relay). */
  s3BytesPerSecond?: number;
  /** Extra environment for the metadata service (e.g. NODE_OPTIONS=--cpu-prof when profiling). */
  metadataEnv?: Record<string, string>;
}): Promise<BenchStack> {
  const dir = await mkdtemp(join(tmpdir(), 'docstore-bench-'));
  await chmod(dir, 0o755);
  const stops: Array<() => Promise<void>> = [() => rm(dir, { recursive: true, force: true })];
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
    const databaseUrl = await createDatabase(postgres.url, 'bench');
    const bucket = 'bench';
    let s3Endpoint = s3.url;
    if (options.s3BytesPerSecond !== undefined) {
      const throttle = await startThrottleProxy(s3.port, options.s3BytesPerSecond);
      stops.push(() => throttle.close());
      s3Endpoint = throttle.url;
    }
    const blob = await startService('blob', {
      S3_ENDPOINT: s3Endpoint,
      S3_ACCESS_KEY: s3Keys.accessKey,
      S3_SECRET_KEY: s3Keys.secretKey,
      S3_BUCKET: bucket,
      BLOB_PORT: '0',
      MAX_UPLOAD_BYTES: String(options.maxUploadBytes),
      BLOB_SERVICE_TOKEN: blobServiceToken,
    });
    stops.push(() => blob.stop());
    const metadata = await startService('metadata', {
      DATABASE_URL: databaseUrl,
      BLOB_URL: blob.url,
      METADATA_PORT: '0',
      SETTINGS_ENCRYPTION_KEY: randomBytes(32).toString('hex'),
      AUTH_JWT_SECRET: authSecret,
      BLOB_SERVICE_TOKEN: blobServiceToken,
      ...options.metadataEnv,
    });
    stops.push(() => metadata.stop());
    return { s3, blob, metadata, postgres, databaseUrl, bucket, s3Keys, authSecret, blobServiceToken, stop };
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
