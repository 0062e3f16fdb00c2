import { randomUUID } from 'node:crypto';
import { createLogger } from '@docstore/server-kit';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import type { BlobGateway } from '../adapters/blob-gateway.ts';
import { Document, Topic } from '../db/entities.ts';
import { openTestDatabase, type TestDatabase } from '../db/test-database.ts';
import { createRequestApis } from './request-apis.ts';
import { createSecretBox } from './secret-box.ts';
import { createStatusBus } from './status/status-bus.ts';

/** Reads never touch the blob service; a call to it here is a bug. */
const noBlob: BlobGateway = {
  reserveKey: () => Promise.reject(new Error('unexpected blob call')),
  put: () => Promise.reject(new Error('unexpected blob call')),
  delete: () => Promise.reject(new Error('unexpected blob call')),
  presignGet: () => Promise.reject(new Error('unexpected blob call')),
  presignPut: () => Promise.reject(new Error('unexpected blob call')),
  putSigned: () => Promise.reject(new Error('unexpected blob call')),
  stat: () => Promise.reject(new Error('unexpected blob call')),
  healthy: () => Promise.resolve(true),
};

const TOPICS = 10;
const DOCUMENTS = 450;

describe('SQL statements per read, whatever the page size', () => {
  let database: TestDatabase;
  const caller = { userId: randomUUID(), ip: null };
  const apis = () =>
    createRequestApis(
      {
        orm: database.orm,
        blob: noBlob,
        secrets: createSecretBox(Buffer.alloc(32)),
        logger: createLogger('test', () => {}),
        bus: createStatusBus(),
        maxUploadBytes: 1024,
        uploadTtlSeconds: 60,
        proxiedUploadRoute: 's3',
      },
      caller,
    );

  beforeAll(async () => {
    database = await openTestDatabase('statement_counts');
    const em = database.orm.em.fork();
    const topics = Array.from({ length: TOPICS }, (_, index) =>
      em.create(Topic, {
        id: randomUUID(),
        userId: caller.userId,
        name: `Topic ${index}`,
        normalizedName: `topic ${index}`,
      }),
    );
    for (let index = 0; index < DOCUMENTS; index += 1) {
      const document = em.create(Document, {
        id: randomUUID(),
        userId: caller.userId,
        name: `doc-${index}.txt`,
        mimeType: 'text/plain',
        size: index,
        objectKey: `${caller.userId}/${randomUUID()}`,
        status: 'ready',
        createdAt: new Date(Date.UTC(2026, 0, 1, 0, 0, index)),
      });
      document.topics.set(
        [topics[index % TOPICS], topics[(index + 1) % TOPICS]].filter((topic) => topic !== undefined),
      );
    }
    await em.flush();
  }, 60_000);

  afterAll(() => database.close(), 30_000);

  it.each([1, 50, 200])(
    'documents.list with limit %d: 1 statement (topic names aggregated in it)',
    async (limit) => {
      let items = 0;
      expect(
        await database.countStatements(async () => {
          items = (await apis().documents.list({ limit })).items.length;
        }),
      ).toBe(1);
      expect(items).toBe(limit);
    },
  );

  it('documents.list filtered by topic, and deep via the cursor: 1 statement each', async () => {
    const first = await apis().documents.list({ topic: 'TOPIC 3', limit: 50 });
    expect(first.items).toHaveLength(50);
    expect(first.items.every((document) => document.topics.includes('Topic 3'))).toBe(true);
    expect(first.items[0]?.topics).toHaveLength(2);
    const cursor = first.nextCursor ?? '';
    expect(
      await database.countStatements(() => apis().documents.list({ topic: 'topic 3', limit: 50, cursor })),
    ).toBe(1);
    expect(await database.countStatements(() => apis().documents.list({ topic: 'topic 3', limit: 50 }))).toBe(
      1,
    );
    // The second page carries on exactly where the first stopped.
    const second = await apis().documents.list({ topic: 'topic 3', limit: 50, cursor });
    expect((second.items[0]?.createdAt ?? '') < (first.items.at(-1)?.createdAt ?? '')).toBe(true);
  });

  it('reads of rows (documents.get, documents.list, topics) make no EntityManager fork', async () => {
    const [first] = (await apis().documents.list({ limit: 1 })).items;
    const fork = vi.spyOn(database.orm.em, 'fork');
    try {
      const user = apis();
      expect((await user.documents.get({ id: first?.id ?? '' })).id).toBe(first?.id);
      expect((await user.documents.list({ limit: 50 })).items).toHaveLength(50);
      expect(Object.keys(await user.topics.counts())).toHaveLength(TOPICS);
      expect(fork).not.toHaveBeenCalled();
    } finally {
      fork.mockRestore();
    }
  });

  it('topics.list and topics.counts: 1 statement each', async () => {
    expect(await database.countStatements(() => apis().topics.list())).toBe(1);
    let counts: Record<string, number> = {};
    expect(
      await database.countStatements(async () => {
        counts = await apis().topics.counts();
      }),
    ).toBe(1);
    expect(Object.keys(counts)).toHaveLength(TOPICS);
  });
});
