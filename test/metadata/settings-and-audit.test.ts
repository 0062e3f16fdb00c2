import { uploadDocument } from '@docstore/contract';
import { describe, expect, inject, it } from 'vitest';
import { errorOf, metadataClient, queryDatabase, unique } from '../support/metadata.ts';

const client = await metadataClient();

describe('settings', () => {
  it('stores the API key encrypted and only ever answers a masked form', async () => {
    const apiKey = 'sk-test-1234567890abcdef';
    const saved = await client.settings.update.mutate({ aiProvider: 'openai', aiModel: 'gpt-x', apiKey });
    expect(saved).toMatchObject({ aiProvider: 'openai', aiModel: 'gpt-x', apiKey: '••••••••cdef' });
    expect(await client.settings.get.query()).toEqual(saved);

    const [row] = await queryDatabase<{ api_key_ciphertext: string }>(
      'select api_key_ciphertext from user_settings where user_id = $1',
      [inject('devUserId')],
    );
    expect(row?.api_key_ciphertext).toMatch(/^v2:[0-9a-f]{8}:/);
    expect(row?.api_key_ciphertext).not.toContain('1234567890');

    // Omitted keeps the key; null clears it.
    expect((await client.settings.update.mutate({ aiModel: 'gpt-y' })).apiKey).toBe('••••••••cdef');
    expect(await client.settings.update.mutate({ apiKey: null })).toMatchObject({
      aiModel: 'gpt-y',
      apiKey: null,
    });
    expect(await errorOf(client.settings.update.mutate({ apiKey: '' }))).toMatchObject({
      code: 'BAD_REQUEST',
    });
  });
});

describe('audit log', () => {
  it('writes one row per mutation with the caller and its IP', async () => {
    const topic = await client.topics.create.mutate({ name: unique('audited') });
    const document = await uploadDocument(
      client,
      { name: 'audit.txt', topics: [topic.name] },
      new Blob(['a']),
    );
    await client.documents.delete.mutate({ id: document.id });
    const rows = await queryDatabase<{ action: string; target_id: string; user_id: string; ip: string }>(
      `select action, target_id, user_id, host(ip_address) as ip from audit_log
        where target_id in ($1, $2) order by at, action`,
      [topic.id, document.id],
    );
    expect(rows.map((row) => [row.action, row.target_id])).toEqual([
      ['topic.create', topic.id],
      ['document.upload', document.id],
      ['document.delete', document.id],
    ]);
    for (const row of rows) {
      expect(row.user_id).toBe(inject('devUserId'));
      expect(row.ip).toMatch(/^(::ffff:)?127\.0\.0\.1$/);
    }
  });

  it('never records the API key', async () => {
    await client.settings.update.mutate({ apiKey: 'sk-never-in-the-audit-log' });
    const rows = await queryDatabase("select 1 from audit_log where details::text like '%never-in-the%'");
    expect(rows).toEqual([]);
  });
});
