import { randomUUID } from 'node:crypto';
import { createBlobClient, putObject } from '@docstore/contract';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { startPrivateBlobStack } from '../support/stack.ts';

describe('the S3 server goes away and comes back', () => {
  let stack: Awaited<ReturnType<typeof startPrivateBlobStack>>;
  let client: ReturnType<typeof createBlobClient>;

  beforeAll(async () => {
    stack = await startPrivateBlobStack();
    client = createBlobClient({ url: stack.blob.url, token: inject('blobServiceToken') });
  });
  afterAll(() => stack.stop());

  it('health turns false, readyz 503 and calls SERVICE_UNAVAILABLE; all recover after restart', async () => {
    const meta = { userId: randomUUID(), documentId: randomUUID(), name: 'a.txt', mimeType: 'text/plain' };
    const stored = await putObject(client, meta, new Blob(['before']));
    expect(await client.health.query()).toMatchObject({ ok: true, bucket: stack.bucket });
    expect((await fetch(`${stack.blob.url}/readyz`)).status).toBe(200);

    await stack.s3.stop();
    expect(await client.health.query()).toMatchObject({ ok: false, bucket: stack.bucket });
    expect((await fetch(`${stack.blob.url}/readyz`)).status).toBe(503);
    expect((await fetch(`${stack.blob.url}/healthz`)).status).toBe(200);
    for (const call of [
      () => client.objects.stat.query({ key: stored.key }),
      () => putObject(client, { ...meta, size: 5 }, new Blob(['after'])),
      () => client.objects.delete.mutate({ key: stored.key }),
    ]) {
      await expect(call()).rejects.toMatchObject({
        data: { code: 'SERVICE_UNAVAILABLE', httpStatus: 503, appCode: 'SERVICE_UNAVAILABLE' },
      });
    }

    await stack.s3.restart();
    expect(await client.health.query()).toMatchObject({ ok: true });
    expect((await fetch(`${stack.blob.url}/readyz`)).status).toBe(200);
    expect(await client.objects.stat.query({ key: stored.key })).toMatchObject({ size: 6 });
  });
});
