import { uploadDocument } from '@docstore/contract';
import { describe, expect, inject, it } from 'vitest';
import { MiB, randomData, sha256, sha256OfResponse } from '../support/bytes.ts';
import { errorOf, metadataClient, queryDatabase, unique } from '../support/metadata.ts';
import { listKeys, s3Client } from '../support/s3-inspect.ts';

const client = await metadataClient();
const s3 = s3Client(inject('s3'));
const bucket = inject('blobBucket');

describe('documents', () => {
  it.each([
    ['empty.txt', 'text/plain', 0],
    ['note.md', 'text/markdown', 1],
    ['Rapport annuel été.pdf', 'application/pdf', 300_000],
    ['photo.JPG', 'image/jpeg', 5 * MiB],
    ['archive', 'application/zip', 40 * MiB],
  ])(
    'uploads %s (%s, %d bytes); the bytes come back equal through downloadUrl',
    async (name, mimeType, size) => {
      const data = randomData(size);
      // Random bytes can happen to start like a real format (an MPEG frame, say), and the server trusts
      // what it sniffs over what the client declares: a prefix no format starts with keeps the test fair.
      data.write('docstore', 0, Math.min(size, 8), 'latin1');
      const document = await uploadDocument(client, { name, mimeType }, new Blob([data]));
      expect(document).toMatchObject({
        name,
        mimeType,
        size,
        sha256: sha256(data),
        status: 'ready',
        topics: [],
      });
      // Processing runs on its own after `ready`: by the time of this read it may have moved on.
      const { processing: _processing, ...stored } = document;
      expect(await client.documents.get.query({ id: document.id })).toMatchObject(stored);

      const { url } = await client.documents.downloadUrl.mutate({ id: document.id });
      const response = await fetch(url);
      expect(response.headers.get('content-disposition')).toContain(
        `filename*=UTF-8''${encodeURIComponent(name)}`,
      );
      expect(await sha256OfResponse(response)).toEqual({ sha256: sha256(data), size });
    },
  );

  it('stores the object under a server-made key and delete removes row and object', async () => {
    const document = await uploadDocument(
      client,
      { name: '../../etc/passwd', mimeType: 'text/plain' },
      new Blob(['x']),
    );
    const [row] = await queryDatabase<{ object_key: string }>(
      'select object_key from documents where id = $1',
      [document.id],
    );
    const key = row?.object_key ?? '';
    expect(key).toMatch(new RegExp(`^${inject('devUserId')}/${document.id}/[0-9a-f-]{36}\\.txt$`));
    expect(await listKeys(s3, bucket, key)).toEqual([key]);

    expect(await client.documents.delete.mutate({ id: document.id })).toEqual({ id: document.id });
    // Gone for its owner at commit; the object and then the row are removed just after, by the job queue.
    expect(await errorOf(client.documents.get.query({ id: document.id }))).toMatchObject({
      code: 'NOT_FOUND',
    });
    await expect.poll(() => listKeys(s3, bucket, key), { timeout: 10_000 }).toEqual([]);
    await expect
      .poll(() => queryDatabase('select 1 from documents where id = $1', [document.id]), { timeout: 10_000 })
      .toEqual([]);
    // Deleting twice answers NOT_FOUND the second time, and nothing breaks.
    expect(await errorOf(client.documents.delete.mutate({ id: document.id }))).toMatchObject({
      code: 'NOT_FOUND',
    });
  });

  it('pages through a listing newest first with no duplicates or gaps', async () => {
    const topic = unique('paging');
    await client.topics.create.mutate({ name: topic });
    const uploaded: string[] = [];
    for (let index = 0; index < 11; index += 1) {
      const document = await uploadDocument(
        client,
        { name: `doc-${index}.txt`, topics: [topic] },
        new Blob([`${index}`]),
      );
      uploaded.push(document.id);
    }
    const seen: string[] = [];
    let cursor: string | undefined;
    let pages = 0;
    do {
      const page = await client.documents.list.query({ topic, limit: 4, cursor });
      expect(page.items.length).toBeLessThanOrEqual(4);
      seen.push(...page.items.map((document) => document.id));
      cursor = page.nextCursor ?? undefined;
      pages += 1;
    } while (cursor);
    expect(pages).toBe(3);
    expect(seen).toEqual([...uploaded].reverse());

    const all = await client.documents.list.query({ limit: 200 });
    const timestamps = all.items.map((document) => document.createdAt);
    expect(timestamps).toEqual([...timestamps].sort().reverse());
  });

  it('lists every topic of each document while filtering by one', async () => {
    const [first, second] = [unique('alpha'), unique('beta')];
    await client.topics.create.mutate({ name: first });
    await client.topics.create.mutate({ name: second });
    const document = await uploadDocument(
      client,
      { name: 'both.txt', topics: [first, second] },
      new Blob(['b']),
    );
    const page = await client.documents.list.query({ topic: second.toUpperCase() });
    expect(page.items).toEqual([{ ...document, topics: [first, second].sort() }]);
  });

  it('setTopics replaces the topics; an unknown name is BAD_REQUEST naming it and changes nothing', async () => {
    const [first, second] = [unique('set-a'), unique('set-b')];
    await client.topics.create.mutate({ name: first });
    await client.topics.create.mutate({ name: second });
    const document = await uploadDocument(client, { name: 's.txt', topics: [first] }, new Blob(['s']));

    const updated = await client.documents.setTopics.mutate({ id: document.id, topics: [second] });
    expect(updated.topics).toEqual([second]);

    const missing = unique('nope');
    const error = await errorOf(
      client.documents.setTopics.mutate({ id: document.id, topics: [first, missing] }),
    );
    expect(error).toMatchObject({ code: 'BAD_REQUEST', appCode: 'INVALID_INPUT' });
    expect(error.message).toContain(missing);
    expect((await client.documents.get.query({ id: document.id })).topics).toEqual([second]);
  });

  it('an upload naming an unknown topic is BAD_REQUEST and stores nothing', async () => {
    const name = `${unique('orphan')}.txt`;
    const error = await errorOf(
      uploadDocument(client, { name, topics: ['no-such-topic-x'] }, new Blob(['o'])),
    );
    expect(error).toMatchObject({ code: 'BAD_REQUEST' });
    expect(error.message).toContain('no-such-topic-x');
    expect(await queryDatabase('select 1 from documents where name = $1', [name])).toEqual([]);
  });
});

describe('bad input is answered with its exact code and changes nothing', () => {
  it.each([
    ['an empty name', { name: '' }],
    ['a 256-character name', { name: 'n'.repeat(256) }],
    ['a control character', { name: 'bad\u0007name.txt' }],
    ['a NUL byte', { name: 'bad\u0000name.txt' }],
    ['a malformed MIME type', { name: 'ok.txt', mimeType: 'not a mime' }],
  ])('upload with %s', async (_, meta) => {
    const before = await queryDatabase<{ count: string }>('select count(*) from documents');
    const error = await errorOf(uploadDocument(client, meta, new Blob(['z'])));
    expect(error).toMatchObject({ code: 'BAD_REQUEST', appCode: 'INVALID_INPUT' });
    expect(await queryDatabase('select count(*) from documents')).toEqual(before);
  });

  it('a 255-character name is accepted, NFC-normalised', async () => {
    const name = `${'e\u0301'.repeat(250)}.txt`;
    const document = await uploadDocument(client, { name }, new Blob(['n']));
    expect(document.name).toBe(name.normalize('NFC'));
    expect([...document.name].length).toBe(254);
  });

  it.each([
    ['limit 0', { limit: 0 }],
    ['limit 201', { limit: 201 }],
    ['a forged cursor', { cursor: 'bm90IGEgY3Vyc29y' }],
  ])('list with %s', async (_, input) => {
    expect(await errorOf(client.documents.list.query(input))).toMatchObject({ code: 'BAD_REQUEST' });
  });

  it('an id that is not a UUID', async () => {
    expect(await errorOf(client.documents.get.query({ id: 'x' }))).toMatchObject({ code: 'BAD_REQUEST' });
  });

  it('a download URL with an expiry over 7 days', async () => {
    const document = await uploadDocument(client, { name: 'e.txt' }, new Blob(['e']));
    const error = await errorOf(
      client.documents.downloadUrl.mutate({ id: document.id, expiresInSeconds: 604_801 }),
    );
    expect(error).toMatchObject({ code: 'BAD_REQUEST' });
  });
});
