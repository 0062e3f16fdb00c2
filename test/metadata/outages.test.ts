import { type MetadataClient, uploadDocument } from '@docstore/contract';
import { runFailingService, type ServiceProcess, startService } from '@docstore/devstack';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { errorOf, metadataClient } from '../support/metadata.ts';
import { metadataEnv, startPrivateStack, testSecrets } from '../support/stack.ts';

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

  const readyz = async () => (await fetch(`${stack.metadata.url}/readyz`)).status;

  it('blob service down: SERVICE_UNAVAILABLE, not a 500, and nothing is lost; back when it returns', async () => {
    const kept = await uploadDocument(client, { name: 'kept.txt' }, new Blob(['kept']));
    expect(await client.health.query()).toEqual({ ok: true, database: true, blob: true });
    expect(await readyz()).toBe(200);

    await stack.blob.stop();
    expect(await client.health.query()).toEqual({ ok: false, database: true, blob: false });
    expect(await readyz()).toBe(503);
    // Each call's error is caught as soon as it is made: awaiting them one by one left the batched two
    // rejected without a handler while the upload was still failing (an unhandled rejection under load).
    const errors = await Promise.all(
      [
        uploadDocument(client, { name: 'lost.txt' }, new Blob(['lost'])),
        client.documents.downloadUrl.mutate({ id: kept.id }),
        client.documents.delete.mutate({ id: kept.id }),
      ].map((call) => errorOf(call)),
    );
    for (const error of errors) {
      expect(error).toMatchObject({
        code: 'SERVICE_UNAVAILABLE',
        appCode: 'SERVICE_UNAVAILABLE',
      });
    }
    // The failed delete left the document in place, the failed upload is marked so; reads that need no
    // blob keep working.
    const listed = (await client.documents.list.query({})).items;
    expect(listed.map((document) => [document.name, document.status])).toEqual([
      ['lost.txt', 'failed'],
      ['kept.txt', 'ready'],
    ]);

    restartedBlob = await startService('blob', { ...stack.blobEnv, BLOB_PORT: String(stack.blob.port) });
    expect(await client.health.query()).toEqual({ ok: true, database: true, blob: true });
    const { url } = await client.documents.downloadUrl.mutate({ id: kept.id });
    expect(await (await fetch(url)).text()).toBe('kept');
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
