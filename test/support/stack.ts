import { chmod, mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { type EmbeddedS3, type ServiceProcess, startEmbeddedS3, startService } from '@docstore/devstack';

/** A scratch folder that embedded PostgreSQL accepts (its parent must not be 0700). */
export async function scratchDir(prefix: string): Promise<{ path: string; remove(): Promise<void> }> {
  const path = await mkdtemp(join(tmpdir(), `docstore-${prefix}-`));
  await chmod(path, 0o755);
  return { path, remove: () => rm(path, { recursive: true, force: true }) };
}

export interface S3Settings {
  endpoint: string;
  accessKey: string;
  secretKey: string;
}

export function s3SettingsOf(s3: EmbeddedS3): S3Settings {
  return { endpoint: s3.endpoint, accessKey: s3.accessKeyId, secretKey: s3.secretAccessKey };
}

/** The blob service's environment for an S3 server; `overrides` win. */
export function blobEnv(
  s3: S3Settings,
  bucket: string,
  overrides: Record<string, string> = {},
): Record<string, string> {
  return {
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
  const blob = await startService('blob', blobEnv(s3SettingsOf(s3), bucket, overrides)).catch(
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
