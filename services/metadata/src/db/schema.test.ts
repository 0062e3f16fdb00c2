import { randomUUID } from 'node:crypto';
import { UniqueConstraintViolationException } from '@mikro-orm/postgresql';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { Document, Topic } from './entities.ts';
import { openDatabase } from './orm-config.ts';
import { openTestDatabase, type TestDatabase } from './test-database.ts';

const GiB = 2 ** 30;

let database: TestDatabase | undefined;

beforeAll(async () => {
  database = await openTestDatabase('metadata_schema');
}, 60_000);

afterAll(() => database?.close(), 30_000);

function opened(): TestDatabase {
  if (database === undefined) throw new Error('database not opened');
  return database;
}

const orm = () => opened().orm;
const countStatements = (work: () => Promise<unknown>) => opened().countStatements(work);

function newTopic(userId: string, name: string) {
  return { id: randomUUID(), userId, name, normalizedName: name.toLowerCase() };
}

function newDocument(userId: string, name: string, size = 1) {
  return {
    id: randomUUID(),
    userId,
    name,
    mimeType: 'text/plain',
    size,
    objectKey: `${userId}/${randomUUID()}`,
    status: 'pending' as const,
  };
}

describe('metadata schema', () => {
  it('matches the entities once the migrations ran', async () => {
    expect(await orm().schema.getUpdateSchemaSQL({ wrap: false })).toBe('');
    expect(await orm().migrator.checkMigrationNeeded()).toBe(false);
    expect(await orm().migrator.getPendingMigrations()).toEqual([]);
    const executed = await orm().migrator.getExecutedMigrations();
    expect(executed.map((m) => m.name)).toEqual([
      'Migration20261127000000_initial',
      'Migration20261127235414_status_events',
      'Migration20261130000000_life_cycle',
      'Migration20261130120000_audit_request_id',
      'Migration20261130120000_reconcile_index',
      'Migration20261130120000_processing',
    ]);
  });

  it('has the tables and column types the service relies on', async () => {
    const rows: { table_name: string; column_name: string; data_type: string }[] = await orm()
      .em.fork()
      .getConnection()
      .execute(
        `select table_name, column_name, data_type from information_schema.columns
         where table_schema = 'public' and table_name <> 'mikro_orm_migrations'`,
      );
    const tables = [...new Set(rows.map((r) => r.table_name))].sort();
    expect(tables).toEqual([
      'ai_classification_cache',
      'audit_log',
      'document_text',
      'document_topics',
      'documents',
      'status_events',
      'topic_suggestions',
      'topics',
      'user_settings',
    ]);
    const typeOf = (table: string, column: string) =>
      rows.find((r) => r.table_name === table && r.column_name === column)?.data_type;
    expect(typeOf('documents', 'size')).toBe('bigint');
    expect(typeOf('document_text', 'search')).toBe('tsvector');
    expect(typeOf('documents', 'created_at')).toBe('timestamp with time zone');
    expect(typeOf('audit_log', 'ip_address')).toBe('inet');
    expect(typeOf('audit_log', 'details')).toBe('jsonb');
    expect(
      rows.every((r) => r.table_name === 'document_topics' || typeOf(r.table_name, 'user_id') === 'uuid'),
    ).toBe(true);
  });

  it('applies nothing when opened again', async () => {
    const again = await openDatabase({ clientUrl: opened().databaseUrl });
    try {
      expect(await again.migrator.getPendingMigrations()).toEqual([]);
    } finally {
      await again.close(true);
    }
  });

  it('keeps sizes over 2 GiB exact as numbers and rejects an unknown status', async () => {
    const em = orm().em.fork();
    const userId = randomUUID();
    const doc = em.create(Document, newDocument(userId, 'big.iso', 5 * GiB + 7));
    await em.flush();
    const read = await orm().em.fork().findOneOrFail(Document, doc.id);
    expect(read.size).toBe(5 * GiB + 7);
    await expect(
      em.getConnection().execute(`update documents set status = 'lost' where id = ?`, [doc.id]),
    ).rejects.toThrow(/documents_status_check/);
  });

  it('keeps topic names unique per user, by normalized name', async () => {
    const userId = randomUUID();
    const em = orm().em.fork();
    em.create(Topic, newTopic(userId, 'Taxes'));
    em.create(Topic, newTopic(randomUUID(), 'Taxes'));
    await em.flush();
    const again = orm().em.fork();
    again.create(Topic, newTopic(userId, 'TAXES'));
    await expect(again.flush()).rejects.toBeInstanceOf(UniqueConstraintViolationException);
  });

  it('drops pivot rows with their document or topic', async () => {
    const em = orm().em.fork();
    const userId = randomUUID();
    const [a, b] = [em.create(Topic, newTopic(userId, 'a')), em.create(Topic, newTopic(userId, 'b'))];
    const doc = em.create(Document, newDocument(userId, 'x'));
    doc.topics.set([a, b]);
    await em.flush();
    const pivotRows = async () =>
      (await em.getConnection().execute(`select 1 from document_topics where document_id = ?`, [doc.id]))
        .length;
    expect(await pivotRows()).toBe(2);
    await em.nativeDelete(Topic, { id: a.id });
    expect(await pivotRows()).toBe(1);
    await em.nativeDelete(Document, { id: doc.id });
    expect(await pivotRows()).toBe(0);
  });
});

describe('onQuery', () => {
  it('counts one statement for a count and two for a page with topics (select-in)', async () => {
    const userId = randomUUID();
    const seed = orm().em.fork();
    const topics = ['Invoices', 'Travel', 'Health'].map((name) => seed.create(Topic, newTopic(userId, name)));
    for (let i = 0; i < 5; i++) {
      const doc = seed.create(Document, newDocument(userId, `doc-${i}`));
      doc.topics.set(topics.slice(0, 1 + (i % 3)));
    }
    await seed.flush();

    const em = orm().em.fork();
    let topicCount = -1;
    expect(
      await countStatements(async () => {
        topicCount = await em.count(Topic, { userId });
      }),
    ).toBe(1);
    expect(topicCount).toBe(3);

    let page: Document[] = [];
    expect(
      await countStatements(async () => {
        page = await em.find(
          Document,
          { userId },
          {
            populate: ['topics'],
            strategy: 'select-in',
            orderBy: { createdAt: 'desc', id: 'desc' },
            limit: 3,
          },
        );
      }),
    ).toBe(2);
    expect(page).toHaveLength(3);
    expect(page.every((d) => d.topics.isInitialized() && d.topics.length > 0)).toBe(true);
  });

  it('counts every statement of a flush, transaction control included', async () => {
    const em = orm().em.fork();
    const userId = randomUUID();
    em.create(Topic, newTopic(userId, 'one'));
    em.create(Document, newDocument(userId, 'one'));
    // begin, insert documents, insert topics, commit
    expect(await countStatements(() => em.flush())).toBe(4);
  });
});
