import { randomBytes } from 'node:crypto';
import {
  createDatabase,
  type EmbeddedPg,
  type EmbeddedS3,
  type ServiceProcess,
  scratchDir,
  startEmbeddedPostgres,
  startEmbeddedS3,
  startService,
} from '@docstore/devstack';
import { inject } from 'vitest';

export interface S3Settings {
  endpoint: string;
  accessKey: string;
  secretKey: string;
}

export function s3SettingsOf(s3: EmbeddedS3): S3Settings {
  return { endpoint: s3.endpoint, accessKey: s3.accessKeyId, secretKey: s3.secretAccessKey };
}

/** The credentials of one test run, made by the global setup (see `testSecrets`). */
export interface TestSecrets {
  authSecret: string;
  serviceToken: string;
}

/** The run's secrets, inside a test worker. */
export function testSecrets(): TestSecrets {
  return { authSecret: inject('authSecret'), serviceToken: inject('blobServiceToken') };
}

/** The blob service's environment for an S3 server; `overrides` win. */
export function blobEnv(
  s3: S3Settings,
  bucket: string,
  secrets: TestSecrets,
  overrides: Record<string, string> = {},
): Record<string, string> {
  return {
    BLOB_SERVICE_TOKEN: secrets.serviceToken,
    S3_ENDPOINT: s3.endpoint,
    S3_ACCESS_KEY: s3.accessKey,
    S3_SECRET_KEY: s3.secretKey,
    S3_BUCKET: bucket,
    BLOB_PORT: '0',
    ...overrides,
  };
}

/** An S3 server and a blob service of a test's own, for tests that break or reconfigure them. */
export async function startPrivateBlobStack(overrides: Record<string, string> = {}): Promise<{
  s3: EmbeddedS3;
  blob: ServiceProcess;
  bucket: string;
  stop(): Promise<void>;
}> {
  const dir = await scratchDir('s3');
  const s3 = await startEmbeddedS3({ dataDir: dir.path });
  const bucket = 'private';
  const blob = await startService('blob', blobEnv(s3SettingsOf(s3), bucket, testSecrets(), overrides)).catch(
    async (error) => {
      await s3.stop();
      throw error;
    },
  );
  return {
    s3,
    blob,
    bucket,
    async stop() {
      await blob.stop();
      await s3.stop();
      await dir.remove();
    },
  };
}

/** The metadata service's environment; `overrides` win. */
export function metadataEnv(
  databaseUrl: string,
  blobUrl: string,
  secrets: TestSecrets,
  overrides: Record<string, string> = {},
): Record<string, string> {
  return {
    DATABASE_URL: databaseUrl,
    BLOB_URL: blobUrl,
    BLOB_SERVICE_TOKEN: secrets.serviceToken,
    AUTH_JWT_SECRET: secrets.authSecret,
    METADATA_PORT: '0',
    SETTINGS_ENCRYPTION_KEY: randomBytes(32).toString('hex'),
    ...overrides,
  };
}

/** PostgreSQL, S3 and both services of a test's own, for tests that stop or restart parts of it. */
export async function startPrivateStack(overrides: { metadata?: Record<string, string> } = {}): Promise<{
  postgres: EmbeddedPg;
  s3: EmbeddedS3;
  blob: ServiceProcess;
  metadata: ServiceProcess;
  blobEnv: Record<string, string>;
  databaseUrl: string;
  stop(): Promise<void>;
}> {
  const dir = await scratchDir('private');
  const stops: Array<() => Promise<void>> = [() => dir.remove()];
  const stop = async () => {
    for (const step of stops.reverse()) await step();
  };
  try {
    const postgres = await startEmbeddedPostgres({ dataDir: `${dir.path}/postgres` });
    stops.push(() => postgres.stop());
    const s3 = await startEmbeddedS3({ dataDir: `${dir.path}/s3` });
    stops.push(() => s3.stop());
    const env = blobEnv(s3SettingsOf(s3), 'private', testSecrets());
    const blob = await startService('blob', env);
    stops.push(() => blob.stop());
    const databaseUrl = await createDatabase(postgres.url, 'private');
    const metadata = await startService(
      'metadata',
      metadataEnv(databaseUrl, blob.url, testSecrets(), overrides.metadata),
    );
    stops.push(() => metadata.stop());
    return { postgres, s3, blob, metadata, blobEnv: env, databaseUrl, stop };
  } catch (error) {
    await stop();
    throw error;
  }
}
