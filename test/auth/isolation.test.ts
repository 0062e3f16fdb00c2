import { randomUUID } from 'node:crypto';
import {
  createMetadataClient,
  createStatusSocket,
  type MetadataClient,
  uploadDocument,
} from '@docstore/contract';
import { beforeAll, describe, expect, inject, it } from 'vitest';
import { WebSocket } from 'ws';
import { errorOf, metadataClient, tokenFor, unique } from '../support/metadata.ts';
import { collectStatus } from '../support/status.ts';

/** Two users; every attempt of B on A's things must look exactly like an id that does not exist. */
describe('per-user isolation', () => {
  const [alice, bob] = [randomUUID(), randomUUID()];
  let a: MetadataClient;
  let b: MetadataClient;
  let topic: { id: string; name: string };
  let document: { id: string };
  let pending: { id: string };

  beforeAll(async () => {
    a = await metadataClient({ userId: alice });
    b = await metadataClient({ userId: bob });
    topic = await a.topics.create.mutate({ name: 'invoices' });
    document = await uploadDocument(
      a,
      { name: 'secret.pdf', topics: ['invoices'] },
      new Blob(['alice only']),
    );
    pending = (await a.documents.createUpload.mutate({ name: 'pending.txt', size: 3 })).document;
  });

  it('answers NOT_FOUND for every procedure on the other user’s ids, as for ids that do not exist', async () => {
    const ghost = randomUUID();
    const attempts: Array<[string, (id: string) => Promise<unknown>]> = [
      ['documents.get', (id) => b.documents.get.query({ id })],
      ['documents.delete', (id) => b.documents.delete.mutate({ id })],
      ['documents.setTopics', (id) => b.documents.setTopics.mutate({ id, topics: [] })],
      ['documents.downloadUrl', (id) => b.documents.downloadUrl.mutate({ id })],
      ['documents.completeUpload', (id) => b.documents.completeUpload.mutate({ id })],
    ];
    for (const [name, attempt] of attempts) {
      const target = name === 'documents.completeUpload' ? pending.id : document.id;
      const theirs = await errorOf(attempt(target));
      const missing = await errorOf(attempt(ghost));
      expect({ name, code: theirs.code }).toEqual({ name, code: 'NOT_FOUND' });
      expect(theirs.message.replace(target, 'ID')).toBe(missing.message.replace(ghost, 'ID'));
    }
    const topicAttempts: Array<(id: string) => Promise<unknown>> = [
      (id) => b.topics.get.query({ id }),
      (id) => b.topics.update.mutate({ id, name: 'mine now' }),
      (id) => b.topics.delete.mutate({ id }),
    ];
    for (const attempt of topicAttempts) {
      const theirs = await errorOf(attempt(topic.id));
      const missing = await errorOf(attempt(ghost));
      expect(theirs.code).toBe('NOT_FOUND');
      expect(theirs.message.replace(topic.id, 'ID')).toBe(missing.message.replace(ghost, 'ID'));
    }
    // Nothing changed for Alice.
    expect(await a.documents.get.query({ id: document.id })).toMatchObject({
      status: 'ready',
      topics: ['invoices'],
    });
    expect(await a.topics.get.query({ id: topic.id })).toMatchObject({ name: 'invoices', documentCount: 1 });
    expect((await a.documents.get.query({ id: pending.id })).status).toBe('pending');
  });

  it('lists, filters, counts and audits only the caller’s own data; both may have "invoices"', async () => {
    expect(await b.documents.list.query({})).toEqual({ items: [], nextCursor: null });
    expect(await b.documents.list.query({ topic: 'invoices' })).toEqual({ items: [], nextCursor: null });
    expect(await b.topics.list.query()).toEqual([]);
    expect(await b.topics.counts.query()).toEqual({});
    const bobs = await b.topics.create.mutate({ name: 'Invoices' });
    expect(bobs.id).not.toBe(topic.id);
    expect(await b.topics.counts.query()).toEqual({ Invoices: 0 });
    expect(await a.topics.counts.query()).toEqual({ invoices: 1 });
    expect((await b.audit.list.query({})).items.map((entry) => entry.action)).toEqual(['topic.create']);
    expect((await a.audit.list.query({})).items.map((entry) => entry.action)).toEqual([
      'document.create_upload',
      'document.upload',
      'topic.create',
    ]);
  });

  it('onStatus for the other user’s document is NOT_FOUND, and the other user’s events never arrive', async () => {
    const socket = createStatusSocket({
      url: inject('metadataUrl'),
      token: await tokenFor(bob),
      WebSocket: WebSocket as unknown as typeof globalThis.WebSocket,
    });
    const bobLive = createMetadataClient({ url: inject('metadataUrl'), wsClient: socket });
    try {
      const refused = await new Promise<unknown>((resolve) => {
        bobLive.documents.onStatus.subscribe(
          { documentId: document.id },
          { onData: resolve, onError: resolve },
        );
      });
      expect(refused).toMatchObject({ data: { code: 'NOT_FOUND' } });

      const status = collectStatus(bobLive);
      await status.started;
      const later = await uploadDocument(a, { name: unique('after') }, new Blob(['more']));
      // Bob's own upload, after Alice's, is the marker that Alice's events had their chance to arrive.
      const mine = await uploadDocument(b, { name: 'bob.txt' }, new Blob(['bob']));
      await status.until(({ event }) => event.documentId === mine.id && event.status === 'ready');
      status.stop();
      expect(status.of(later.id)).toEqual([]);
      expect(new Set(status.received.map(({ event }) => event.documentId))).toEqual(new Set([mine.id]));
    } finally {
      await socket.close();
    }
  });
});
