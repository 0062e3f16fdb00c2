import { randomUUID } from 'node:crypto';
import { createBlobClient, type MetadataClient, putObject, uploadDocument } from '@docstore/contract';
import pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { reportOf, runAdmin } from '../support/admin.ts';
import { metadataClient } from '../support/metadata.ts';
import { listKeys, s3Client } from '../support/s3-inspect.ts';
import { s3SettingsOf, startPrivateStack, testSecrets } from '../support/stack.ts';

/** The reconciler's advisory lock key (services/metadata/src/store/advisory-lock.ts). */
const RECONCILE_LOCK_KEY = 0x646f_6373_7263_6e63n.toString();

describe('docstore-admin reconcile against the real stack', () => {
  let stack: Awaited<ReturnType<typeof startPrivateStack>>;
  let client: MetadataClient;
  let db: pg.Client;
  let operatorEnv: Record<string, string>;

  beforeAll(async () => {
    // The service's own schedule is off: only the command under test reconciles.
    stack = await startPrivateStack({ metadata: { RECONCILE_INTERVAL_SECONDS: '0' } });
    client = await metadataClient({ url: stack.metadata.url });
    db = new pg.Client({ connectionString: stack.databaseUrl });
    await db.connect();
    operatorEnv = {
      DATABASE_URL: stack.databaseUrl,
      BLOB_URL: stack.blob.url,
      BLOB_SERVICE_TOKEN: testSecrets().serviceToken,
    };
  });
  afterAll(async () => {
    await db?.end();
    await stack?.stop();
  });

  const row = async (id: string) =>
    (await db.query('select status, failure_reason from documents where id = $1', [id])).rows[0];

  it('finds an orphan object and a ready row without its object; the dry run changes nothing, the run fixes both', async () => {
    await client.topics.create.mutate({ name: 'Kept' });
    const kept = await uploadDocument(client, { name: 'kept.txt', topics: ['Kept'] }, new Blob(['kept']));
    const lost = await uploadDocument(client, { name: 'lost.txt', topics: ['Kept'] }, new Blob(['lost']));
    const lostKey = (await db.query('select object_key from documents where id = $1', [lost.id])).rows[0]
      .object_key as string;
    const s3 = s3Client(s3SettingsOf(stack.s3));
    await s3.removeObject('private', lostKey);
    const blob = createBlobClient({ url: stack.blob.url, token: testSecrets().serviceToken });
    const orphan = await putObject(
      blob,
      { userId: randomUUID(), documentId: randomUUID(), name: 'orphan.bin', size: 3 },
      new Blob(['abc']),
    );

    // Default grace (an hour): the new orphan is too young to judge; the lost object is found at once.
    const young = reportOf(await runAdmin(['reconcile', '--dry-run', '--json'], operatorEnv));
    expect(young).toMatchObject({
      ran: true,
      dryRun: true,
      skippedTooYoung: 1,
      orphansFound: 0,
      missingFound: 1,
    });

    const dry = reportOf(
      await runAdmin(['reconcile', '--dry-run', '--json', '--grace-seconds', '0'], operatorEnv),
    );
    expect(dry).toMatchObject({
      dryRun: true,
      objectsScanned: 2,
      readyRowsScanned: 2,
      orphansFound: 1,
      orphansRemoved: 0,
      missingFound: 1,
      rowsMarkedMissing: 0,
      orphanKeys: [orphan.key],
      missingDocumentIds: [lost.id],
    });
    expect(await listKeys(s3, 'private')).toContain(orphan.key);
    expect((await row(lost.id))?.status).toBe('ready');

    const text = await runAdmin(['reconcile', '--grace-seconds', '0'], operatorEnv);
    expect(text.code).toBe(0);
    expect(text.stdout).toMatch(/objects no row owns\s+1\s+\(1 removed\)/);
    expect(text.stdout).toMatch(/ready rows whose object is gone\s+1\s+\(1 marked missing\)/);
    expect(text.stdout).toContain(`orphan object: ${orphan.key}`);

    expect((await listKeys(s3, 'private')).sort()).toEqual(
      [
        (await db.query('select object_key from documents where id = $1', [kept.id])).rows[0].object_key,
      ].sort(),
    );
    expect(await row(lost.id)).toEqual({
      status: 'missing',
      failure_reason: 'the object is gone from the bucket',
    });
    expect((await client.documents.get.query({ id: lost.id })).status).toBe('missing');
    expect((await client.documents.get.query({ id: kept.id })).status).toBe('ready');
    const events = await db.query(
      'select status, error from status_events where document_id = $1 order by id',
      [lost.id],
    );
    expect(events.rows.at(-1)).toEqual({ status: 'missing', error: 'the object is gone from the bucket' });
    const audit = await db.query('select action, target_id from audit_log where target_id = $1 order by at', [
      lost.id,
    ]);
    expect(audit.rows.at(-1)).toEqual({ action: 'document.missing', target_id: lost.id });
    // Topic counts count ready documents: the missing one left the count.
    expect((await client.topics.list.query()).find((topic) => topic.name === 'Kept')?.documentCount).toBe(1);

    const again = reportOf(await runAdmin(['reconcile', '--json', '--grace-seconds', '0'], operatorEnv));
    expect(again).toMatchObject({ orphansFound: 0, missingFound: 0, objectsScanned: 1, readyRowsScanned: 1 });
  });

  it('a deleting row whose removal job was lost gets it back, and then it and its object are gone', async () => {
    const stranded = await uploadDocument(client, { name: 'stranded.txt' }, new Blob(['stranded']));
    const key = (await db.query('select object_key from documents where id = $1', [stranded.id])).rows[0]
      .object_key as string;
    // What a lost job leaves: committed `deleting`, hidden from its user, and nothing queued to finish it.
    await db.query(`update documents set status = 'deleting' where id = $1`, [stranded.id]);

    const dry = reportOf(
      await runAdmin(['reconcile', '--dry-run', '--json', '--grace-seconds', '0'], operatorEnv),
    );
    expect(dry).toMatchObject({
      strandedDeletionsFound: 1,
      removalsRequeued: 0,
      strandedDocumentIds: [stranded.id],
    });
    expect((await row(stranded.id))?.status).toBe('deleting');

    const run = reportOf(await runAdmin(['reconcile', '--json', '--grace-seconds', '0'], operatorEnv));
    expect(run).toMatchObject({ strandedDeletionsFound: 1, removalsRequeued: 1 });
    const s3 = s3Client(s3SettingsOf(stack.s3));
    const until = Date.now() + 20_000;
    while ((await row(stranded.id)) !== undefined || (await listKeys(s3, 'private')).includes(key)) {
      if (Date.now() > until) throw new Error('the requeued removal did not run');
      await new Promise((done) => setTimeout(done, 100));
    }
  });

  it('does nothing while another instance holds the reconcile lock', async () => {
    const holder = new pg.Client({ connectionString: stack.databaseUrl });
    await holder.connect();
    try {
      await holder.query('select pg_advisory_lock($1)', [RECONCILE_LOCK_KEY]);
      const run = await runAdmin(['reconcile'], operatorEnv);
      expect(run.code).toBe(0);
      expect(run.stdout).toContain('another instance is reconciling');
    } finally {
      await holder.end();
    }
  });

  it('an unreachable dependency is a typed error with exit code 5, quickly and without secrets', async () => {
    const noBlob = await runAdmin(['reconcile'], { ...operatorEnv, BLOB_URL: 'http://127.0.0.1:9' });
    expect(noBlob).toMatchObject({ code: 5 });
    expect(noBlob.stderr).toBe('docstore-admin: the blob service at 127.0.0.1:9 did not answer within 5 s\n');

    const url = new URL(stack.databaseUrl);
    url.port = '9';
    const noDatabase = await runAdmin(['reconcile'], { ...operatorEnv, DATABASE_URL: url.href });
    expect(noDatabase.code).toBe(5);
    expect(noDatabase.stderr).toBe('docstore-admin: PostgreSQL at 127.0.0.1:9 did not answer within 5 s\n');
    expect(noDatabase.stderr).not.toContain(url.password);

    const wrongToken = await runAdmin(['reconcile'], { ...operatorEnv, BLOB_SERVICE_TOKEN: 'x'.repeat(32) });
    expect(wrongToken).toMatchObject({
      code: 3,
      stderr: 'docstore-admin: the blob service refused BLOB_SERVICE_TOKEN\n',
    });
  });

  it('bad arguments exit 2 with the usage', async () => {
    const run = await runAdmin(['reconcile', '--bogus'], operatorEnv);
    expect(run.code).toBe(2);
    expect(run.stderr).toContain('usage: docstore-admin reconcile');
  });
});
