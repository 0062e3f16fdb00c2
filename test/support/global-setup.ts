import { startEmbeddedS3, startService } from '@docstore/devstack';
import type { TestProject } from 'vitest/node';

import { blobEnv, type S3Settings, s3SettingsOf, scratchDir } from './stack.ts';

declare module 'vitest' {
  export interface ProvidedContext {
    blobUrl: string;
    blobBucket: string;
    s3: S3Settings;
  }
}

const BUCKET = 'docstore-test';

/** One S3 server and one blob service for the whole run, on free ports; all stopped at the end. */
export default async function setup(project: TestProject): Promise<() => Promise<void>> {
  const dir = await scratchDir('e2e');
  const s3 = await startEmbeddedS3({ dataDir: `${dir.path}/s3` });
  const blob = await startService('blob', blobEnv(s3SettingsOf(s3), BUCKET));
  project.provide('blobUrl', blob.url);
  project.provide('blobBucket', BUCKET);
  project.provide('s3', s3SettingsOf(s3));
  return async () => {
    await blob.stop();
    await s3.stop();
    await dir.remove();
  };
}
