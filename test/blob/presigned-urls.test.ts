import { randomUUID } from 'node:crypto';
import { setTimeout as sleep } from 'node:timers/promises';
import { createBlobClient, fetchObject, putObject } from '@docstore/contract';
import { describe, expect, inject, it } from 'vitest';
import { randomData, sha256, sha256OfResponse } from '../support/bytes.ts';

const blob = { url: inject('blobUrl'), token: inject('blobServiceToken') };
const client = createBlobClient(blob);

async function storeText(name: string, text: string, mimeType = 'text/plain') {
  return putObject(
    client,
    { userId: randomUUID(), documentId: randomUUID(), name, mimeType },
    new Blob([text]),
  );
}

describe('presigned URLs', () => {
  it('a presigned GET downloads under the original name with the stored content type', async () => {
    const stored = await storeText('x.pdf', 'pdf bytes', 'application/pdf');
    const { url, expiresAt } = await client.objects.presignGet.mutate({
      key: stored.key,
      downloadName: 'Évil "näme".pdf',
      expiresInSeconds: 60,
    });
    expect(Date.parse(expiresAt) - Date.now()).toBeGreaterThan(50_000);
    const response = await fetch(url);
    expect(response.status).toBe(200);
    expect(response.headers.get('content-type')).toBe('application/pdf');
    expect(response.headers.get('content-disposition')).toBe(
      `attachment; filename="_vil _n_me_.pdf"; filename*=UTF-8''%C3%89vil%20%22n%C3%A4me%22.pdf`,
    );
    expect(await response.text()).toBe('pdf bytes');
  });

  it('a presigned PUT stores bytes under the key the server chose', async () => {
    const data = randomData(300_000);
    const meta = {
      userId: randomUUID(),
      documentId: randomUUID(),
      name: 'upload.bin',
      mimeType: 'application/pdf',
    };
    const { key, url } = await client.objects.presignPut.mutate(meta);
    const put = await fetch(url, {
      method: 'PUT',
      body: data,
      headers: { 'content-type': 'application/pdf' },
    });
    expect(put.status).toBe(200);
    expect(await client.objects.stat.query({ key })).toMatchObject({ size: data.length });
    expect(await sha256OfResponse(await fetchObject(blob, key))).toEqual({
      sha256: sha256(data),
      size: data.length,
    });
  });

  it('an expired presigned URL is rejected by S3', async () => {
    const stored = await storeText('short.txt', 'soon gone');
    const { url } = await client.objects.presignGet.mutate({ key: stored.key, expiresInSeconds: 1 });
    await sleep(2_100);
    const response = await fetch(url);
    expect(response.status).toBe(403);
    expect(await response.text()).toContain('expired');
  });

  it.each([0, -5, 604_801, 1.5])(
    'expiry %s seconds is BAD_REQUEST naming the field',
    async (expiresInSeconds) => {
      const stored = await storeText('e.txt', 'e');
      await expect(
        client.objects.presignGet.mutate({ key: stored.key, expiresInSeconds }),
      ).rejects.toMatchObject({
        data: { code: 'BAD_REQUEST', zodError: { fieldErrors: { expiresInSeconds: expect.any(Array) } } },
      });
    },
  );

  it('the longest expiry, 7 days, is accepted', async () => {
    const stored = await storeText('week.txt', 'w');
    const { url } = await client.objects.presignGet.mutate({ key: stored.key, expiresInSeconds: 604_800 });
    expect((await fetch(url)).status).toBe(200);
  });

  it('a presigned GET for a missing object is NOT_FOUND', async () => {
    const key = `${randomUUID()}/${randomUUID()}/${randomUUID()}.txt`;
    await expect(client.objects.presignGet.mutate({ key })).rejects.toMatchObject({
      data: { code: 'NOT_FOUND', appCode: 'NOT_FOUND' },
    });
  });
});
