import { type MetadataClient, uploadDocument } from '@docstore/contract';
import { type ServiceProcess, startService } from '@docstore/devstack';
import pg from 'pg';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { freeze } from '../support/freeze.ts';
import { metadataClient } from '../support/metadata.ts';
import { listKeys, s3Client } from '../support/s3-inspect.ts';
import { metadataEnv, s3SettingsOf, startPrivateStack, testSecrets } from '../support/stack.ts';

const sleep = (ms: number) => new Promise((done) => setTimeout(done, ms));

/**
 * Issue 9/11: a job whose instance is killed mid-run runs again on another instance within seconds
 * (not graphile-worker's 4 hours), and a job of a live instance is never taken from it.
 */
describe('jobs of a killed instance', () => {
  let stack: Awaited<ReturnType<typeof startPrivateStack>>;
  let client: MetadataClient;
  let db: pg.Client;
  const extra: ServiceProcess[] = [];
  const env = (databaseUrl: string, blobUrl: string) =>
    metadataEnv(databaseUrl, blobUrl, testSecrets(), {
      JOB_DEAD_WORKER_CHECK_SECONDS: '1',
      JOB_DEAD_WORKER_GRACE_SECONDS: '2',
    });

  beforeAll(async () => {
    stack = await startPrivateStack({
      metadata: { JOB_DEAD_WORKER_CHECK_SECONDS: '1', JOB_DEAD_WORKER_GRACE_SECONDS: '2' },
    });
    client = await metadataClient({ url: stack.metadata.url });
    db = new pg.Client({ connectionString: stack.databaseUrl });
    await db.connect();
  });
  afterAll(async () => {
    await db.end();
    for (const service of extra) await service.stop();
    await stack?.stop();
  });

  const removalJob = async () =>
    (
      await db.query<{ locked_by: string | null; attempts: number }>(
        `select locked_by, attempts from graphile_worker.jobs where task_identifier = 'remove_object'`,
      )
    ).rows[0];

  it('a removal held mid-run by a killed instance finishes on a new one; a live one keeps its job', async () => {
    // A second live instance on the same database: its checks must leave the running job alone.
    const second = await startService('metadata', env(stack.databaseUrl, stack.blob.url));
    extra.push(second);
    const document = await uploadDocument(client, { name: 'held.txt' }, new Blob(['hello']));
    const keys = async () =>
      (
        await listKeys(s3Client(s3SettingsOf(stack.s3)), 'private', `${inject('devUserId')}/${document.id}/`)
      ).filter(Boolean);
    expect(await keys()).toHaveLength(1);

    // The blob service hangs: the removal job is taken and stays mid-run.
    const thaw = await freeze(stack.blob.child.pid ?? -1);
    try {
      expect(await client.documents.delete.mutate({ id: document.id })).toEqual({ id: document.id });
      await expect.poll(async () => (await removalJob())?.locked_by, { timeout: 10_000 }).toBeTruthy();
      const taken = await removalJob();
      // Both instances are alive and check every second with a 2 s grace: the job stays with its worker.
      await sleep(5_000);
      expect(await removalJob()).toEqual(taken);

      // Kill both with SIGKILL (whichever held the job), then start a fresh one.
      for (const service of [stack.metadata, second]) {
        const exited = new Promise((done) => service.child.once('exit', done));
        service.child.kill('SIGKILL');
        await exited;
      }
    } finally {
      thaw();
    }
    const started = Date.now();
    extra.push(await startService('metadata', env(stack.databaseUrl, stack.blob.url)));
    await expect.poll(removalJob, { timeout: 30_000, interval: 250 }).toBeUndefined();
    expect(Date.now() - started).toBeLessThan(30_000);
    expect(await keys()).toEqual([]);
    const rows = await db.query('select 1 from documents where id = $1', [document.id]);
    expect(rows.rowCount).toBe(0);
  });
});
