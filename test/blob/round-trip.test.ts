import { randomUUID } from 'node:crypto';
import { createBlobClient, fetchObject, OBJECT_KEY_PATTERN, putObject, StreamBody } from '@docstore/contract';
import { describe, expect, inject, it } from 'vitest';
import { MiB, randomData, sha256, sha256OfResponse, streamOf } from '../support/bytes.ts';
import { listKeys, s3Client } from '../support/s3-inspect.ts';

const blob = { url: inject('blobUrl'), token: inject('blobServiceToken') };
const client = createBlobClient(blob);
const bucket = inject('blobBucket');
const s3 = s3Client(inject('s3'));

function metaFor(name: string, mimeType?: string) {
  return { userId: randomUUID(), documentId: randomUUID(), name, mimeType };
}

describe('put and get round trip', () => {
  it.each([
    ['0 bytes', 0],
    ['1 byte', 1],
    ['5 MiB', 5 * MiB],
    ['100 MiB', 100 * MiB],
  ])(
    '%s with a declared size: bytes come back equal, through the route and a presigned URL',
    async (_, size) => {
      const data = randomData(size);
      const meta = { ...metaFor('report.pdf', 'application/pdf'), size };
      const stored = await putObject(client, meta, new Blob([data]));
      expect(stored.size).toBe(size);
      expect(stored.key).toMatch(OBJECT_KEY_PATTERN);
      expect(stored.key.startsWith(`${meta.userId}/${meta.documentId}/`)).toBe(true);

      const viaRoute = await sha256OfResponse(await fetchObject(blob, stored.key));
      expect(viaRoute).toEqual({ sha256: sha256(data), size });

      const { url } = await client.objects.presignGet.mutate({ key: stored.key });
      const viaPresigned = await sha256OfResponse(await fetch(url));
      expect(viaPresigned).toEqual({ sha256: sha256(data), size });
    },
  );

  it('100 MiB stream of unknown size goes in as a multipart upload', async () => {
    const data = randomData(100 * MiB);
    const stored = await putObject(client, metaFor('big.bin'), new StreamBody(streamOf(data)));
    expect(stored.size).toBe(100 * MiB);
    const back = await sha256OfResponse(await fetchObject(blob, stored.key));
    expect(back).toEqual({ sha256: sha256(data), size: data.length });
  });

  it('stat reports size, type and etag of the stored object', async () => {
    const data = randomData(1234);
    const stored = await putObject(
      client,
      { ...metaFor('a.txt', 'text/plain'), size: 1234 },
      new Blob([data]),
    );
    const stat = await client.objects.stat.query({ key: stored.key });
    expect(stat).toMatchObject({ key: stored.key, size: 1234, contentType: 'text/plain', etag: stored.etag });
  });

  it('delete removes the object from the bucket and is idempotent', async () => {
    const meta = metaFor('gone.txt', 'text/plain');
    const stored = await putObject(client, meta, new Blob(['bye']));
    expect(await listKeys(s3, bucket, `${meta.userId}/`)).toEqual([stored.key]);

    expect(await client.objects.delete.mutate({ key: stored.key })).toEqual({
      key: stored.key,
      existed: true,
    });
    expect(await client.objects.delete.mutate({ key: stored.key })).toEqual({
      key: stored.key,
      existed: false,
    });
    expect(await listKeys(s3, bucket, `${meta.userId}/`)).toEqual([]);
  });
});
