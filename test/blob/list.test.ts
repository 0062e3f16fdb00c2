import { randomUUID } from 'node:crypto';
import { createBlobClient, putObject } from '@docstore/contract';
import { describe, expect, inject, it } from 'vitest';
import { randomData } from '../support/bytes.ts';
import { listKeys, s3Client } from '../support/s3-inspect.ts';

const blob = { url: inject('blobUrl'), token: inject('blobServiceToken') };
const client = createBlobClient(blob);
const bucket = inject('blobBucket');
const s3 = s3Client(inject('s3'));

/** Every page of a prefix through `objects.list`, following continuation tokens. */
async function listAll(prefix: string, limit: number) {
  const pages: Array<{ key: string; size: number; lastModified: string }[]> = [];
  let continuationToken: string | undefined;
  do {
    const page = await client.objects.list.query({ prefix, continuationToken, limit });
    pages.push(page.items);
    continuationToken = page.nextContinuationToken ?? undefined;
  } while (continuationToken !== undefined);
  return pages;
}

describe('objects.list', () => {
  it('pages through a prefix with continuation tokens: every key once, with size and time', async () => {
    const userId = randomUUID();
    const before = Date.now() - 2_000;
    const stored = await Promise.all(
      Array.from({ length: 7 }, (_, index) =>
        putObject(
          client,
          { userId, documentId: randomUUID(), name: `f${index}.bin`, size: index },
          new Blob([randomData(index)]),
        ),
      ),
    );
    const pages = await listAll(`${userId}/`, 3);
    expect(pages.map((page) => page.length)).toEqual([3, 3, 1]);
    const items = pages.flat();
    expect(items.map((item) => item.key).sort()).toEqual(stored.map((object) => object.key).sort());
    expect(items.map((item) => item.key).sort()).toEqual(await listKeys(s3, bucket, `${userId}/`));
    for (const item of items) {
      expect(item.size).toBe(stored.find((object) => object.key === item.key)?.size);
      expect(Date.parse(item.lastModified)).toBeGreaterThan(before);
    }
  });

  it('an empty prefix answers one empty last page', async () => {
    const page = await client.objects.list.query({ prefix: `${randomUUID()}/` });
    expect(page).toEqual({ items: [], nextContinuationToken: null });
  });

  it('without the prefix it lists the whole bucket', async () => {
    const userId = randomUUID();
    const object = await putObject(
      client,
      { userId, documentId: randomUUID(), name: 'x.txt', size: 1 },
      new Blob([randomData(1)]),
    );
    const keys = (await listAll('', 1000)).flat().map((item) => item.key);
    expect(keys).toContain(object.key);
  });

  it('needs the service credential', async () => {
    const anonymous = createBlobClient({ url: blob.url });
    await expect(anonymous.objects.list.query({})).rejects.toMatchObject({
      data: { appCode: 'UNAUTHORIZED' },
    });
  });

  it('refuses a continuation token it did not make', async () => {
    await expect(client.objects.list.query({ continuationToken: 'garbage' })).rejects.toMatchObject({
      data: { appCode: 'INVALID_INPUT' },
    });
  });

  it('refuses a page size over 1000', async () => {
    await expect(client.objects.list.query({ limit: 1001 })).rejects.toMatchObject({
      data: { appCode: 'INVALID_INPUT' },
    });
  });
});
