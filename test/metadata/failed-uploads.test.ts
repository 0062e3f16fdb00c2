import { type MetadataClient, StreamBody, uploadDocument } from '@docstore/contract';
import pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { MiB, randomData, slowStream, streamOf } from '../support/bytes.ts';
import { errorOf, metadataClient } from '../support/metadata.ts';
import { listKeys, s3Client } from '../support/s3-inspect.ts';
import { s3SettingsOf, startPrivateStack } from '../support/stack.ts';

describe('uploads that do not make it', () => {
  let stack: Awaited<ReturnType<typeof startPrivateStack>>;
  let client: MetadataClient;
  let db: pg.Client;

  beforeAll(async () => {
    stack = await startPrivateStack({
      metadata: { MAX_UPLOAD_BYTES: String(4 * MiB), UPLOAD_TTL_SECONDS: '2' },
    });
    client = await metadataClient({ url: stack.metadata.url });
    db = new pg.Client({ connectionString: stack.databaseUrl });
    await db.connect();
  });
  afterAll(async () => {
    await db.end();
    await stack.stop();
  });

  /** Keys in the bucket, of one document when given (keys are `{userId}/{documentId}/…`). */
  const bucketKeys = async (documentId?: string) =>
    (await listKeys(s3Client(s3SettingsOf(stack.s3)), 'private')).filter(
      (key) => documentId === undefined || key.split('/')[1] === documentId,
    );
  const rowsNamed = async (name: string) =>
    (
      await db.query<{ id: string; status: string }>('select id, status from documents where name = $1', [
        name,
      ])
    ).rows;

  it('over MAX_UPLOAD_BYTES: PAYLOAD_TOO_LARGE, no object and no row, declared or not', async () => {
    const declared = await errorOf(
      uploadDocument(client, { name: 'declared-big.bin' }, new Blob([randomData(4 * MiB + 1)])),
    );
    expect(declared).toMatchObject({ code: 'PAYLOAD_TOO_LARGE', appCode: 'PAYLOAD_TOO_LARGE' });
    const streamed = await errorOf(
      uploadDocument(client, { name: 'streamed-big.bin' }, new StreamBody(streamOf(randomData(9 * MiB)))),
    );
    expect(streamed).toMatchObject({ code: 'PAYLOAD_TOO_LARGE' });
    expect(await rowsNamed('declared-big.bin')).toEqual([]);
    expect(await rowsNamed('streamed-big.bin')).toEqual([]);
    expect(await bucketKeys()).toEqual([]);
    // The direct path refuses it up front too.
    expect(
      await errorOf(client.documents.createUpload.mutate({ name: 'big', size: 4 * MiB + 1 })),
    ).toMatchObject({
      code: 'PAYLOAD_TOO_LARGE',
    });
  });

  it('a client that goes away mid-upload leaves no object and the document failed', async () => {
    const aborted = new AbortController();
    const upload = uploadDocument(
      client,
      { name: 'walked-away.bin', size: 3 * MiB },
      new StreamBody(slowStream(3, 300), 3 * MiB),
      aborted.signal,
    );
    await expect.poll(() => rowsNamed('walked-away.bin'), { timeout: 10_000 }).toHaveLength(1);
    aborted.abort();
    await expect(upload).rejects.toThrow();
    await expect
      .poll(async () => (await rowsNamed('walked-away.bin'))[0]?.status, { timeout: 10_000 })
      .toBe('failed');
    const [row] = await rowsNamed('walked-away.bin');
    // The blob service removes what S3 got of it as soon as it notices the broken stream.
    await expect.poll(() => bucketKeys(row?.id), { timeout: 5_000 }).toEqual([]);
  });

  it('a direct upload never completed is swept after UPLOAD_TTL_SECONDS, object and row', async () => {
    const { document, uploadUrl } = await client.documents.createUpload.mutate({
      name: 'abandoned.txt',
      size: 4,
    });
    expect((await fetch(uploadUrl, { method: 'PUT', body: 'abcd' })).status).toBe(200);
    expect(await bucketKeys(document.id)).toHaveLength(1);
    await expect
      .poll(async () => (await rowsNamed('abandoned.txt')).length, { timeout: 10_000, interval: 250 })
      .toBe(0);
    // The sweeper claims the row first, then removes the object.
    await expect.poll(() => bucketKeys(document.id), { timeout: 5_000 }).toEqual([]);
    expect(await errorOf(client.documents.get.query({ id: document.id }))).toMatchObject({
      code: 'NOT_FOUND',
    });
  });
});
