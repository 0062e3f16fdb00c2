import { randomUUID } from 'node:crypto';
import { createBlobClient, fetchObject, putObject, StreamBody } from '@docstore/contract';
import { runFailingService } from '@docstore/devstack';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { MiB, randomData, streamOf } from '../support/bytes.ts';
import { listKeys, s3Client } from '../support/s3-inspect.ts';

import { s3SettingsOf, startPrivateBlobStack } from '../support/stack.ts';

const blob = { url: inject('blobUrl'), token: inject('blobServiceToken') };
const client = createBlobClient(blob);
const serviceAuth = { authorization: `Bearer ${blob.token}` };
const missingKey = () => `${randomUUID()}/${randomUUID()}/${randomUUID()}.pdf`;

describe('typed errors', () => {
  it('a missing object is NOT_FOUND on stat and on the download route', async () => {
    const key = missingKey();
    await expect(client.objects.stat.query({ key })).rejects.toMatchObject({
      data: { code: 'NOT_FOUND', httpStatus: 404, appCode: 'NOT_FOUND' },
    });
    await expect(fetchObject(blob, key)).rejects.toMatchObject({ code: 'NOT_FOUND' });
  });

  it('a malformed key is BAD_REQUEST with the field error, and no stack trace', async () => {
    const error = await client.objects.stat.query({ key: '../../etc/passwd' }).catch((e: unknown) => e);
    expect(error).toMatchObject({
      data: {
        code: 'BAD_REQUEST',
        httpStatus: 400,
        zodError: { fieldErrors: { key: ['not a docstore object key'] } },
      },
    });
    expect(JSON.stringify((error as { data: unknown }).data)).not.toContain('stack');
    const route = await fetch(`${blob.url}/objects/..%2F..%2Fetc%2Fpasswd`, { headers: serviceAuth });
    expect(route.status).toBe(400);
  });

  it('a put without its metadata header is BAD_REQUEST', async () => {
    const response = await fetch(`${blob.url}/trpc/objects.put`, {
      method: 'POST',
      headers: { ...serviceAuth, 'content-type': 'application/octet-stream' },
      body: 'abc',
    });
    expect(response.status).toBe(400);
  });
});

describe('uploads over MAX_UPLOAD_BYTES', () => {
  let stack: Awaited<ReturnType<typeof startPrivateBlobStack>>;
  let limited: ReturnType<typeof createBlobClient>;

  beforeAll(async () => {
    stack = await startPrivateBlobStack({ MAX_UPLOAD_BYTES: String(MiB) });
    limited = createBlobClient({ url: stack.blob.url, token: inject('blobServiceToken') });
  });
  afterAll(() => stack.stop());

  const meta = () => ({ userId: randomUUID(), documentId: randomUUID(), name: 'big.bin' });

  it('a declared size over the limit is PAYLOAD_TOO_LARGE before any byte is stored', async () => {
    const data = randomData(MiB + 1);
    await expect(
      putObject(limited, { ...meta(), size: data.length }, new Blob([data])),
    ).rejects.toMatchObject({
      data: { code: 'PAYLOAD_TOO_LARGE', httpStatus: 413, appCode: 'PAYLOAD_TOO_LARGE' },
    });
  });

  it('an unsized stream that grows past the limit is cut off, and leaves nothing in the bucket', async () => {
    const data = randomData(3 * MiB);
    await expect(
      putObject(limited, meta(), new StreamBody(streamOf(data, 256 * 1024))),
    ).rejects.toMatchObject({
      data: { code: 'PAYLOAD_TOO_LARGE' },
    });
    expect(await listKeys(s3Client(s3SettingsOf(stack.s3)), stack.bucket)).toEqual([]);
  });

  it('exactly the limit is accepted', async () => {
    const stored = await putObject(limited, { ...meta(), size: MiB }, new Blob([randomData(MiB)]));
    expect(stored.size).toBe(MiB);
  });
});

describe('configuration', () => {
  it.each([
    [{ BLOB_PORT: 'not-a-port' }, 'BLOB_PORT'],
    [{ S3_ENDPOINT: 'ftp://example' }, 'S3_ENDPOINT'],
    [{ MAX_UPLOAD_BYTES: '-1' }, 'MAX_UPLOAD_BYTES'],
    [{ S3_BUCKET: 'Bad_Bucket' }, 'S3_BUCKET'],
  ])('a bad value %j stops the process with a message naming %s', async (bad, variable) => {
    const s3 = inject('s3');
    const { code, output } = await runFailingService('blob', {
      BLOB_SERVICE_TOKEN: inject('blobServiceToken'),
      S3_ENDPOINT: s3.endpoint,
      S3_ACCESS_KEY: s3.accessKey,
      S3_SECRET_KEY: s3.secretKey,
      ...bad,
    });
    expect(code).toBe(1);
    expect(output).toContain(variable);
  });
});
