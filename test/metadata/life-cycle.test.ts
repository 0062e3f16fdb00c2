import { type MetadataClient, StreamBody, uploadDocument } from '@docstore/contract';
import pg from 'pg';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { MiB, sha256, slowStream } from '../support/bytes.ts';
import { errorOf, metadataClient } from '../support/metadata.ts';
import { listKeys, s3Client } from '../support/s3-inspect.ts';
import { s3SettingsOf, startPrivateStack } from '../support/stack.ts';

/**
 * The document life cycle under the conditions that lost or leaked data before it was explicit
 * (issue 9: items 1, 2, 3, 6 and 10). A stack of its own: a 2 s upload TTL and a failed-row
 * retention of 3.6 s make the sweeper's decisions visible within a test.
 */
describe('the document life cycle', () => {
  let stack: Awaited<ReturnType<typeof startPrivateStack>>;
  let client: MetadataClient;
  let db: pg.Client;
  const userId = inject('devUserId');

  beforeAll(async () => {
    stack = await startPrivateStack({
      metadata: { UPLOAD_TTL_SECONDS: '2', FAILED_RETENTION_HOURS: '0.001' },
    });
    client = await metadataClient({ url: stack.metadata.url });
    db = new pg.Client({ connectionString: stack.databaseUrl });
    await db.connect();
  });
  afterAll(async () => {
    await db.end();
    await stack.stop();
  });

  const bucketKeys = async (documentId: string) =>
    (await listKeys(s3Client(s3SettingsOf(stack.s3)), 'private', `${userId}/${documentId}/`)).filter(Boolean);
  const rowNamed = async (name: string) =>
    (
      await db.query<{ id: string; status: string; object_key: string | null }>(
        'select id, status, object_key from documents where name = $1',
        [name],
      )
    ).rows[0];

  it('a proxied upload streaming longer than UPLOAD_TTL_SECONDS is kept, its key recorded before its bytes (1, 2)', async () => {
    const chunks: Uint8Array[] = [];
    const source = slowStream(6, 1_000).pipeThrough(
      new TransformStream<Uint8Array, Uint8Array>({
        transform(chunk, controller) {
          chunks.push(chunk);
          controller.enqueue(chunk);
        },
      }),
    );
    const upload = uploadDocument(
      client,
      { name: 'slow.bin', size: 6 * MiB },
      new StreamBody(source, 6 * MiB),
    );
    // While the bytes flow, the row already names the key they go to, under its user and document.
    await expect.poll(() => rowNamed('slow.bin'), { timeout: 10_000 }).toMatchObject({ status: 'pending' });
    const pending = await rowNamed('slow.bin');
    expect(pending?.object_key).toMatch(new RegExp(`^${userId}/${pending?.id}/[0-9a-f-]{36}\\.bin$`));

    const document = await upload;
    expect(document).toMatchObject({ status: 'ready', size: 6 * MiB });
    expect(document.sha256).toBe(sha256(Buffer.concat(chunks)));
    // Acknowledged means readable: the sweeper (every second, TTL 2 s) left the streaming row alone.
    expect(await client.documents.get.query({ id: document.id })).toMatchObject({ status: 'ready' });
    expect((await rowNamed('slow.bin'))?.object_key).toBe(pending?.object_key);
    expect(await bucketKeys(document.id)).toEqual([pending?.object_key]);
  });

  it('an upload whose row is deleted while it streams is never acknowledged, and leaves no object (1)', async () => {
    const upload = uploadDocument(
      client,
      { name: 'deleted-mid-stream.bin', size: 4 * MiB },
      new StreamBody(slowStream(4, 600), 4 * MiB),
    );
    await expect.poll(() => rowNamed('deleted-mid-stream.bin'), { timeout: 10_000 }).toBeDefined();
    const row = await rowNamed('deleted-mid-stream.bin');
    const id = row?.id ?? '';
    expect(await client.documents.delete.mutate({ id })).toEqual({ id });
    const failure = await errorOf(upload);
    expect(failure.code).not.toBe('INTERNAL_SERVER_ERROR');
    expect(await errorOf(client.documents.get.query({ id }))).toMatchObject({ code: 'NOT_FOUND' });
    await expect.poll(() => bucketKeys(id), { timeout: 15_000, interval: 500 }).toEqual([]);
    await expect.poll(() => rowNamed('deleted-mid-stream.bin'), { timeout: 15_000 }).toBeUndefined();
  });

  it('a declared size that differs from the body is BAD_REQUEST and keeps nothing (6)', async () => {
    for (const [name, size, body] of [
      ['shorter.txt', 10, 'abc'],
      ['longer.txt', 2, 'abcdef'],
    ] as const) {
      expect(await errorOf(uploadDocument(client, { name, size }, new Blob([body])))).toMatchObject({
        code: 'BAD_REQUEST',
        appCode: 'INVALID_INPUT',
      });
      expect(await rowNamed(name)).toBeUndefined();
    }
    const keys = await listKeys(s3Client(s3SettingsOf(stack.s3)), 'private', `${userId}/`);
    const owned = (await db.query<{ object_key: string }>('select object_key from documents')).rows.map(
      (row) => row.object_key,
    );
    expect(keys.filter((key) => !owned.includes(key))).toEqual([]);
  });

  it('a delete whose commit fails removes nothing: the document stays ready with its bytes (3)', async () => {
    const document = await uploadDocument(client, { name: 'refuse-commit.txt' }, new Blob(['still here']));
    // A deferred constraint trigger fails the COMMIT itself, as a database lost at that moment would.
    await db.query(`create or replace function refuse_commit() returns trigger language plpgsql as
      $$ begin raise exception 'commit refused by the test'; end $$`);
    await db.query(`create constraint trigger refuse_commit after update or delete on documents
      deferrable initially deferred for each row when (old.name = 'refuse-commit.txt')
      execute function refuse_commit()`);
    try {
      await expect(client.documents.delete.mutate({ id: document.id })).rejects.toThrow();
    } finally {
      await db.query('drop trigger refuse_commit on documents');
    }
    expect(await client.documents.get.query({ id: document.id })).toMatchObject({ status: 'ready' });
    const { url } = await client.documents.downloadUrl.mutate({ id: document.id });
    expect(await (await fetch(url)).text()).toBe('still here');
  });

  it('failed documents and their objects are removed after FAILED_RETENTION_HOURS (10)', async () => {
    const { document, uploadUrl } = await client.documents.createUpload.mutate({
      name: 'wrong-size.txt',
      size: 4,
    });
    expect((await fetch(uploadUrl, { method: 'PUT', body: 'abcdef' })).status).toBe(200);
    expect(await client.documents.completeUpload.mutate({ id: document.id })).toMatchObject({
      status: 'failed',
    });
    // The object goes at once (after the commit that failed it), the row after the retention.
    await expect.poll(() => bucketKeys(document.id), { timeout: 15_000, interval: 500 }).toEqual([]);
    expect((await rowNamed('wrong-size.txt'))?.status).toBe('failed');
    await expect.poll(() => rowNamed('wrong-size.txt'), { timeout: 20_000, interval: 500 }).toBeUndefined();
    expect(await errorOf(client.documents.get.query({ id: document.id }))).toMatchObject({
      code: 'NOT_FOUND',
    });
  });
});
