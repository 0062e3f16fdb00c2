import { uploadDocument } from '@docstore/contract';
import { describe, expect, it } from 'vitest';
import { errorOf, metadataClient, unique } from '../support/metadata.ts';

const client = await metadataClient();

/** The counts of just these topics: other tests add topics of their own to the same user. */
async function countsOf(...names: string[]): Promise<Record<string, number | undefined>> {
  const counts = await client.topics.counts.query();
  return Object.fromEntries(names.map((name) => [name, counts[name]]));
}

describe('topics and their counts', () => {
  it('counts ready documents exactly through create, upload, retag, rename, delete', async () => {
    const [invoices, receipts, empty] = [unique('invoices'), unique('receipts'), unique('empty')];
    const created = await client.topics.create.mutate({
      name: ` ${invoices} `,
      description: 'Bills',
      color: '#A1B2C3',
    });
    expect(created).toMatchObject({
      name: invoices,
      description: 'Bills',
      color: '#a1b2c3',
      documentCount: 0,
    });
    const second = await client.topics.create.mutate({ name: receipts });
    const third = await client.topics.create.mutate({ name: empty });
    expect(await countsOf(invoices, receipts, empty)).toEqual({ [invoices]: 0, [receipts]: 0, [empty]: 0 });

    const a = await uploadDocument(client, { name: 'a.pdf', topics: [invoices] }, new Blob(['a']));
    const b = await uploadDocument(client, { name: 'b.pdf', topics: [invoices, receipts] }, new Blob(['b']));
    await uploadDocument(client, { name: 'c.pdf', topics: [receipts.toUpperCase()] }, new Blob(['c']));
    expect(await countsOf(invoices, receipts, empty)).toEqual({ [invoices]: 2, [receipts]: 2, [empty]: 0 });

    await client.documents.setTopics.mutate({ id: a.id, topics: [receipts] });
    expect(await countsOf(invoices, receipts)).toEqual({ [invoices]: 1, [receipts]: 3 });

    const renamed = unique('bills');
    const updated = await client.topics.update.mutate({ id: created.id, name: renamed, color: null });
    expect(updated).toMatchObject({ name: renamed, color: null, description: 'Bills', documentCount: 1 });
    expect((await client.documents.get.query({ id: b.id })).topics).toEqual([renamed, receipts].sort());
    expect(await countsOf(invoices, renamed)).toEqual({ [invoices]: undefined, [renamed]: 1 });

    await client.documents.delete.mutate({ id: b.id });
    expect(await countsOf(renamed, receipts)).toEqual({ [renamed]: 0, [receipts]: 2 });

    expect(await client.topics.delete.mutate({ id: second.id })).toEqual({ name: receipts, removedFrom: 2 });
    expect(await countsOf(receipts, renamed, empty)).toEqual({
      [receipts]: undefined,
      [renamed]: 0,
      [empty]: 0,
    });
    // The documents stay, without the topic.
    expect((await client.documents.get.query({ id: a.id })).topics).toEqual([]);

    const listed = await client.topics.list.query();
    expect(listed.find((topic) => topic.id === third.id)).toMatchObject({ name: empty, documentCount: 0 });
    expect(listed.some((topic) => topic.id === second.id)).toBe(false);
  });

  it('a duplicate name, in any case, is CONFLICT', async () => {
    const name = unique('Dup');
    const topic = await client.topics.create.mutate({ name });
    expect(await errorOf(client.topics.create.mutate({ name: name.toLowerCase() }))).toMatchObject({
      code: 'CONFLICT',
      appCode: 'CONFLICT',
    });
    const other = await client.topics.create.mutate({ name: unique('other') });
    expect(
      await errorOf(client.topics.update.mutate({ id: other.id, name: name.toUpperCase() })),
    ).toMatchObject({
      code: 'CONFLICT',
    });
    expect((await client.topics.get.query({ id: other.id })).name).toBe(other.name);
    // Renaming a topic to another case of its own name is fine.
    expect((await client.topics.update.mutate({ id: topic.id, name: name.toUpperCase() })).name).toBe(
      name.toUpperCase(),
    );
  });

  it.each([
    ['an empty name', { name: '   ' }],
    ['a 65-character name', { name: 'x'.repeat(65) }],
    ['a bad color', { name: 'c', color: 'red' }],
    ['a 1,001-character description', { name: 'd', description: 'd'.repeat(1001) }],
  ])('create with %s is BAD_REQUEST', async (_, input) => {
    expect(await errorOf(client.topics.create.mutate(input))).toMatchObject({ code: 'BAD_REQUEST' });
  });

  it('a missing topic is NOT_FOUND on get, update and delete', async () => {
    const id = crypto.randomUUID();
    // Each call gets its handler at once: awaiting them one by one left the later ones rejected
    // without a handler while the first was pending, an unhandled rejection under load.
    const errors = await Promise.all(
      [
        client.topics.get.query({ id }),
        client.topics.update.mutate({ id, name: 'x' }),
        client.topics.delete.mutate({ id }),
      ].map(errorOf),
    );
    for (const error of errors) expect(error).toMatchObject({ code: 'NOT_FOUND' });
  });
});
