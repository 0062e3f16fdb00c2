import { type MetadataClient, uploadDocument } from '@docstore/contract';
import { runFailingService, type ServiceProcess, startService } from '@docstore/devstack';
import pg from 'pg';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { errorOf, metadataClient } from '../support/metadata.ts';
import { listKeys, s3Client } from '../support/s3-inspect.ts';
import { metadataEnv, s3SettingsOf, startPrivateStack, testSecrets } from '../support/stack.ts';

describe('the metadata service when a dependency goes away', () => {
  let stack: Awaited<ReturnType<typeof startPrivateStack>>;
  let client: MetadataClient;
  let restartedBlob: ServiceProcess | undefined;

  beforeAll(async () => {
    stack = await startPrivateStack();
    client = await metadataClient({ url: stack.metadata.url });
  });
  afterAll(async () => {
    await restartedBlob?.stop();
    await stack.stop();
  });

  /** One query against the stack's own database. */
  const queryAt = async <Row extends pg.QueryResultRow>(sql: string, params: unknown[]) => {
    const db = new pg.Client({ connectionString: stack.databaseUrl });
    await db.connect();
    try {
      return (await db.query<Row>(sql, params)).rows;
    } finally {
      await db.end();
    }
  };
  const readyz = async () => (await fetch(`${stack.metadata.url}/readyz`)).status;

  it('blob service down: SERVICE_UNAVAILABLE, not a 500, and nothing is lost; back when it returns', async () => {
    const kept = await uploadDocument(client, { name: 'kept.txt' }, new Blob(['kept']));
    const deleted = await uploadDocument(client, { name: 'deleted.txt' }, new Blob(['deleted']));
    const [row] = await queryAt<{ object_key: string }>('select object_key from documents where id = $1', [
      deleted.id,
    ]);
    expect(await client.health.query()).toEqual({ ok: true, database: true, blob: true });
    expect(await readyz()).toBe(200);

    await stack.blob.stop();
    expect(await client.health.query()).toEqual({ ok: false, database: true, blob: false });
    expect(await readyz()).toBe(503);
    // Each call's failure is caught as it is made: awaiting them one after another would leave the
    // later rejections unhandled for a while, which vitest counts as an error of the run.
    const failures = await Promise.all(
      [
        uploadDocument(client, { name: 'lost.txt' }, new Blob(['lost'])),
        client.documents.downloadUrl.mutate({ id: kept.id }),
      ].map(errorOf),
    );
    for (const failure of failures) {
      expect(failure).toMatchObject({ code: 'SERVICE_UNAVAILABLE', appCode: 'SERVICE_UNAVAILABLE' });
    }
    // A delete needs no blob service to commit: the object's removal is queued and waits for it.
    expect(await client.documents.delete.mutate({ id: deleted.id })).toEqual({ id: deleted.id });
    // The upload that could not even get its key left nothing; reads that need no blob keep working.
    const listed = (await client.documents.list.query({})).items;
    expect(listed.map((document) => [document.name, document.status])).toEqual([['kept.txt', 'ready']]);

    restartedBlob = await startService('blob', { ...stack.blobEnv, BLOB_PORT: String(stack.blob.port) });
    expect(await client.health.query()).toEqual({ ok: true, database: true, blob: true });
    const { url } = await client.documents.downloadUrl.mutate({ id: kept.id });
    expect(await (await fetch(url)).text()).toBe('kept');
    // The queued removal is retried with backoff until the blob service takes it; then the row goes.
    await expect
      .poll(() => queryAt('select 1 from documents where id = $1', [deleted.id]), {
        timeout: 30_000,
        interval: 500,
      })
      .toEqual([]);
    expect(await listKeys(s3Client(s3SettingsOf(stack.s3)), 'private', row?.object_key)).toEqual([]);
  });

  it('PostgreSQL down: SERVICE_UNAVAILABLE and readyz 503; it reconnects after a restart', async () => {
    await stack.postgres.stop();
    expect(await client.health.query()).toMatchObject({ ok: false, database: false });
    expect(await readyz()).toBe(503);
    expect(await errorOf(client.topics.list.query())).toMatchObject({ code: 'SERVICE_UNAVAILABLE' });

    await stack.postgres.restart();
    expect(await client.health.query()).toMatchObject({ ok: true, database: true });
    expect(await client.topics.list.query()).toEqual([]);
  });
});

describe('metadata configuration', () => {
  it.each([
    [{ AUTH_JWT_SECRET: 'short' }, 'AUTH_JWT_SECRET'],
    [{ AUTH_JWT_SECRET: '', AUTH_JWKS_URL: 'https://idp.example/jwks.json' }, 'AUTH_ISSUER'],
    [{ BLOB_SERVICE_TOKEN: '' }, 'BLOB_SERVICE_TOKEN'],
    [{ SETTINGS_ENCRYPTION_KEY: 'too-short' }, 'SETTINGS_ENCRYPTION_KEY'],
    [{ DATABASE_URL: 'mysql://x' }, 'DATABASE_URL'],
    [{ METADATA_PORT: '70000' }, 'METADATA_PORT'],
  ])('a bad value %j stops the process with a message naming %s', async (bad, variable) => {
    const { code, output } = await runFailingService('metadata', {
      ...metadataEnv(inject('databaseUrl'), inject('blobUrl'), testSecrets()),
      ...bad,
    });
    expect(code).toBe(1);
    expect(output).toContain(variable);
  });
});
