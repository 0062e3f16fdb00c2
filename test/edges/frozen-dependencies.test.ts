import { randomBytes } from 'node:crypto';
import { type MetadataClient, uploadDocument } from '@docstore/contract';
import {
  createDatabase,
  type EmbeddedPg,
  type ServiceProcess,
  scratchDir,
  startEmbeddedPostgres,
  startService,
} from '@docstore/devstack';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { freeze, postmasterPid } from '../support/freeze.ts';
import { errorOf, metadataClient } from '../support/metadata.ts';
import { metadataEnv, testSecrets } from '../support/stack.ts';

/** How long a call may take against a frozen dependency: its deadline plus slack for 2 shared cores. */
const BOUND_MS = 6_000;

/** Runs `call`, expecting SERVICE_UNAVAILABLE, and returns how long the answer took. */
async function unavailableIn(call: Promise<unknown>): Promise<number> {
  const started = Date.now();
  expect(await errorOf(call)).toMatchObject({ appCode: 'SERVICE_UNAVAILABLE' });
  return Date.now() - started;
}

describe('a frozen dependency (SIGSTOP) answers SERVICE_UNAVAILABLE within its deadline', () => {
  let dir: Awaited<ReturnType<typeof scratchDir>>;
  let postgres: EmbeddedPg;
  let s3: ServiceProcess;
  let blob: ServiceProcess;
  let metadata: ServiceProcess;
  let client: MetadataClient;
  const thaws: Array<() => void> = [];

  beforeAll(async () => {
    dir = await scratchDir('frozen');
    postgres = await startEmbeddedPostgres({ dataDir: `${dir.path}/postgres` });
    s3 = await startService('s3', { DOCSTORE_S3_DIR: `${dir.path}/s3` });
    const secrets = testSecrets();
    blob = await startService('blob', {
      BLOB_SERVICE_TOKEN: secrets.serviceToken,
      S3_ENDPOINT: s3.url,
      S3_ACCESS_KEY: 'S3RVER',
      S3_SECRET_KEY: 'S3RVER',
      S3_BUCKET: 'frozen',
      BLOB_PORT: '0',
      S3_CONNECT_TIMEOUT_MS: '1000',
      S3_IDLE_TIMEOUT_MS: '2000',
    });
    const databaseUrl = await createDatabase(postgres.url, 'frozen');
    metadata = await startService(
      'metadata',
      metadataEnv(databaseUrl, blob.url, secrets, {
        BLOB_CONNECT_TIMEOUT_MS: '1000',
        BLOB_IDLE_TIMEOUT_MS: '2000',
        DATABASE_CONNECT_TIMEOUT_MS: '1000',
        DATABASE_STATEMENT_TIMEOUT_MS: '2000',
        SETTINGS_ENCRYPTION_KEY: randomBytes(32).toString('hex'),
      }),
    );
    client = await metadataClient({ url: metadata.url });
  });
  afterAll(async () => {
    for (const thaw of thaws) thaw();
    await metadata?.stop();
    await blob?.stop();
    await s3?.stop();
    await postgres?.stop();
    await dir?.remove();
  });

  it('S3 frozen: uploads fail in time, deletes commit at once; after SIGCONT nothing is lost', async () => {
    const kept = await uploadDocument(client, { name: 'kept.txt' }, new Blob(['kept']));
    const gone = await uploadDocument(client, { name: 'gone.txt' }, new Blob(['gone']));
    const pid = s3.child.pid;
    if (pid === undefined) throw new Error('no s3 pid');
    const thaw = await freeze(pid);
    thaws.push(thaw);
    try {
      expect(await unavailableIn(uploadDocument(client, { name: 'x.txt' }, new Blob(['x'])))).toBeLessThan(
        BOUND_MS,
      );
      // Commit first, remove after: a delete needs no S3 to be done; its object's removal is queued.
      const started = Date.now();
      expect(await client.documents.delete.mutate({ id: gone.id })).toEqual({ id: gone.id });
      expect(Date.now() - started).toBeLessThan(BOUND_MS);
    } finally {
      thaw();
    }
    const { url } = await client.documents.downloadUrl.mutate({ id: kept.id });
    expect(await (await fetch(url)).text()).toBe('kept');
    expect(await client.documents.get.query({ id: kept.id })).toMatchObject({ status: 'ready' });
    // The queued removal runs once S3 answers again; the row goes after its object.
    await expect
      .poll(async () => (await errorOf(client.documents.get.query({ id: gone.id }))).code, {
        timeout: 30_000,
      })
      .toBe('NOT_FOUND');
  });

  it('blob service frozen: calls fail in time; after SIGCONT it serves again', async () => {
    const kept = await uploadDocument(client, { name: 'kept-2.txt' }, new Blob(['kept 2']));
    const pid = blob.child.pid;
    if (pid === undefined) throw new Error('no blob pid');
    const thaw = await freeze(pid);
    thaws.push(thaw);
    try {
      expect(await unavailableIn(uploadDocument(client, { name: 'y.txt' }, new Blob(['y'])))).toBeLessThan(
        BOUND_MS,
      );
      expect(await unavailableIn(client.documents.downloadUrl.mutate({ id: kept.id }))).toBeLessThan(
        BOUND_MS,
      );
    } finally {
      thaw();
    }
    const { url } = await client.documents.downloadUrl.mutate({ id: kept.id });
    expect(await (await fetch(url)).text()).toBe('kept 2');
  });

  it('PostgreSQL frozen: calls fail in time; after SIGCONT it answers again', async () => {
    const before = await client.topics.list.query();
    const thaw = await freeze(await postmasterPid(`${dir.path}/postgres`));
    thaws.push(thaw);
    try {
      expect(await unavailableIn(client.topics.list.query())).toBeLessThan(BOUND_MS);
      expect(await unavailableIn(client.topics.create.mutate({ name: 'frozen' }))).toBeLessThan(BOUND_MS);
    } finally {
      thaw();
    }
    expect(await client.topics.list.query()).toEqual(before);
  });
});
