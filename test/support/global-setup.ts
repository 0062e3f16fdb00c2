import { randomBytes, randomUUID } from 'node:crypto';
import {
  createDatabase,
  scratchDir,
  startEmbeddedPostgres,
  startEmbeddedS3,
  startService,
} from '@docstore/devstack';
import type { TestProject } from 'vitest/node';
import { blobEnv, metadataEnv, type S3Settings, s3SettingsOf } from './stack.ts';

declare module 'vitest' {
  export interface ProvidedContext {
    blobUrl: string;
    blobBucket: string;
    s3: S3Settings;
    metadataUrl: string;
    /** The database the metadata service uses: tests read it to check rows directly. */
    databaseUrl: string;
    /** The admin URL of the embedded PostgreSQL server, for tests that need a database of their own. */
    postgresAdminUrl: string;
    devUserId: string;
    /** AUTH_JWT_SECRET of the run's metadata services: tests mint tokens with it. */
    authSecret: string;
    blobServiceToken: string;
  }
}

const BUCKET = 'docstore-test';

/**
 * One S3 server, one PostgreSQL server and both services for the whole run, on free ports; everything
 * stopped at the end.
 */
export default async function setup(project: TestProject): Promise<() => Promise<void>> {
  const dir = await scratchDir('e2e');
  const stops: Array<() => Promise<void>> = [() => dir.remove()];
  const teardown = async () => {
    for (const stop of stops.reverse()) await stop();
  };
  try {
    const [s3, postgres] = await Promise.all([
      startEmbeddedS3({ dataDir: `${dir.path}/s3`, corsBuckets: [BUCKET] }),
      startEmbeddedPostgres({ dataDir: `${dir.path}/postgres` }),
    ]);
    stops.push(
      () => s3.stop(),
      () => postgres.stop(),
    );
    const databaseUrl = await createDatabase(postgres.url, 'docstore_e2e');
    const secrets = {
      authSecret: randomBytes(32).toString('hex'),
      serviceToken: randomBytes(24).toString('hex'),
    };
    const blob = await startService('blob', blobEnv(s3SettingsOf(s3), BUCKET, secrets));
    stops.push(() => blob.stop());
    const devUserId = randomUUID();
    const metadata = await startService('metadata', metadataEnv(databaseUrl, blob.url, secrets));
    stops.push(() => metadata.stop());

    project.provide('blobUrl', blob.url);
    project.provide('blobBucket', BUCKET);
    project.provide('s3', s3SettingsOf(s3));
    project.provide('metadataUrl', metadata.url);
    project.provide('databaseUrl', databaseUrl);
    project.provide('postgresAdminUrl', postgres.url);
    project.provide('devUserId', devUserId);
    project.provide('authSecret', secrets.authSecret);
    project.provide('blobServiceToken', secrets.serviceToken);
  } catch (error) {
    await teardown();
    throw error;
  }
  return teardown;
}
