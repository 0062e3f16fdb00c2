import { randomUUID } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { uploadDocument } from '@docstore/contract';
import { describe, expect, it } from 'vitest';
import { writePdf } from '../../services/metadata/src/processing/testing/pdf-writer.ts';
import {
  deflateRepeated,
  docxEntries,
  writeZip,
} from '../../services/metadata/src/processing/testing/zip-writer.ts';
import { errorOf, metadataClient, queryDatabase } from '../support/metadata.ts';
import { processed } from '../support/processing.ts';

// A user of this file's own: search results are per user, and other files upload too.
const owner = randomUUID();
const client = await metadataClient({ userId: owner });
const stranger = await metadataClient({ userId: randomUUID() });
const utf8 = (text: string) => new TextEncoder().encode(text);

async function uploadAndProcess(name: string, mimeType: string, bytes: Uint8Array) {
  const document = await uploadDocument(client, { name, mimeType }, bytes);
  return processed(client, document.id);
}

async function expectFound(word: string, id: string) {
  const page = await client.documents.search.query({ query: word });
  const hit = page.items.find((item) => item.id === id);
  expect(hit, `${word} finds ${id}`).toBeDefined();
  expect(hit?.snippet?.toLowerCase()).toContain(`<<${word.toLowerCase()}>>`);
  expect((await stranger.documents.search.query({ query: word })).items).toEqual([]);
}

describe('processing makes documents searchable', { timeout: 120_000 }, () => {
  it('a PDF with a text layer: found by a word, with a snippet, pages and language', async () => {
    const document = await uploadAndProcess(
      'policy.pdf',
      'application/pdf',
      writePdf([
        {
          text: [
            'Policy number 7731',
            'The insurance policy covers water damage in the kitchen and the bathroom.',
          ],
        },
        { text: ['Second page about the garden shed'] },
      ]),
    );
    expect(document.processing).toMatchObject({
      status: 'processed',
      failure: null,
      pages: 2,
      language: 'eng',
      truncated: false,
      duplicateOf: null,
    });
    expect(document.processing?.textLength).toBeGreaterThan(50);
    await expectFound('garden', document.id);
    const text = await client.documents.text.query({ id: document.id });
    expect(text.text).toContain('Policy number 7731');
    expect(await errorOf(stranger.documents.text.query({ id: document.id }))).toMatchObject({
      code: 'NOT_FOUND',
    });
  });

  it('a scanned PNG is read by OCR', async () => {
    const png = readFileSync(new URL('../fixtures/ocr-invoice.png', import.meta.url));
    const document = await uploadAndProcess('scan.png', 'image/png', png);
    expect(document.processing?.status).toBe('processed');
    await expectFound('Zebrafish', document.id);
  });

  it('a DOCX and an HTML page (scripts never indexed)', async () => {
    const docx = await uploadAndProcess(
      'lease.docx',
      'application/vnd.openxmlformats-officedocument.wordprocessingml.document',
      writeZip(docxEntries(['Tenancy agreement for flat 4B', 'Rent due monthly'])),
    );
    await expectFound('Tenancy', docx.id);
    const html = await uploadAndProcess(
      'slip.html',
      'text/html',
      utf8(`<html><head><script>var secretToken = "abc123"</script></head>
        <body><h1>Salary statement</h1><p>Paid to Marta on time.</p></body></html>`),
    );
    await expectFound('Salary', html.id);
    expect((await client.documents.search.query({ query: 'secretToken' })).items).toEqual([]);
  });

  it('hostile files fail their own processing with a reason, and are still found by name (typos too)', async () => {
    const bomb = await deflateRepeated(0x20, 64 * 1024 * 1024);
    const zipBomb = await uploadAndProcess(
      'quarterly-bomb.docx',
      'application/octet-stream',
      writeZip([
        ...docxEntries(['harmless']),
        { name: 'word/media/b.bin', data: new Uint8Array(), deflated: bomb },
      ]),
    );
    expect(zipBomb.processing).toMatchObject({ status: 'processing_failed', failure: 'archive_too_large' });
    expect(zipBomb.status).toBe('ready');
    const pages = await uploadAndProcess(
      'endless.pdf',
      'application/pdf',
      writePdf([], { sharedPageCount: 10_000 }),
    );
    expect(pages.processing).toMatchObject({ status: 'processing_failed', failure: 'too_many_pages' });
    const binary = await uploadAndProcess(
      'tool.exe',
      'application/octet-stream',
      Uint8Array.from([0x4d, 0x5a, 0x90, 0, 3, 0]),
    );
    expect(binary.processing).toMatchObject({ status: 'processing_failed', failure: 'unsupported_type' });

    const byName = await client.documents.search.query({ query: 'quartely-bomb' });
    expect(byName.items.map((item) => item.id)).toContain(zipBomb.id);
    expect(byName.items.find((item) => item.id === zipBomb.id)?.snippet).toBeNull();

    const events = await queryDatabase<{
      status: string;
      error: string | null;
      details: { reason?: string } | null;
    }>('select status, error, details from status_events where document_id = $1 order by id', [pages.id]);
    expect(events.map((event) => event.status).slice(-2)).toEqual(['processing', 'processing_failed']);
    expect(events.at(-1)).toMatchObject({ error: 'too_many_pages', details: { reason: 'too_many_pages' } });
  });

  it('a text of ~1 MiB of distinct tokens is stored and indexed (the tsvector stays under its 1 MiB limit)', async () => {
    const tokens = Array.from(
      { length: 110_000 },
      (_, index) => `t${index.toString(36)}x${randomUUID().slice(0, 2)}`,
    );
    const document = await uploadAndProcess(
      'tokens.txt',
      'text/plain',
      utf8(`aardvarkfirst ${tokens.join(' ')}`),
    );
    expect(document.processing?.status).toBe('processed');
    expect(document.processing?.textLength).toBeGreaterThan(900_000);
    await expectFound('aardvarkfirst', document.id);
  });

  it('the same bytes again: duplicateOf names the oldest copy, findBySha256 lists both', async () => {
    const bytes = utf8(`duplicate memo ${randomUUID()}`);
    const first = await uploadAndProcess('memo.txt', 'text/plain', bytes);
    const second = await uploadAndProcess('memo copy.txt', 'text/plain', bytes);
    expect(first.processing?.duplicateOf).toBeNull();
    expect(second.processing?.duplicateOf).toBe(first.id);
    const copies = await client.documents.findBySha256.query({ sha256: first.sha256 ?? '' });
    expect(copies.map((copy) => copy.id)).toEqual([first.id, second.id]);
    expect(await stranger.documents.findBySha256.query({ sha256: first.sha256 ?? '' })).toEqual([]);
  });

  it('pages search results by rank without repeats', async () => {
    const ids = [];
    for (let index = 0; index < 5; index++) {
      const words = `pangolin ${'pangolin '.repeat(index)}report number ${index}`;
      ids.push((await uploadAndProcess(`pangolin-${index}.txt`, 'text/plain', utf8(words))).id);
    }
    const seen: string[] = [];
    let cursor: string | undefined;
    do {
      const page = await client.documents.search.query({ query: 'pangolin', limit: 2, cursor });
      seen.push(...page.items.map((item) => item.id));
      cursor = page.nextCursor ?? undefined;
    } while (cursor);
    expect(new Set(seen).size).toBe(seen.length);
    expect([...seen].sort()).toEqual([...ids].sort());
    expect(seen[0]).toBe(ids[4]);
  });
});

describe('topic rules', { timeout: 120_000 }, () => {
  it('a matching rule assigns its topic at processing, counted exactly, announced in the processed event', async () => {
    const invoices = await client.topics.create.mutate({
      name: 'Invoices',
      match: { algorithm: 'any', pattern: 'invoice rechnung' },
    });
    expect(invoices.match).toEqual({ algorithm: 'any', pattern: 'invoice rechnung', caseSensitive: false });
    await client.topics.create.mutate({ name: 'Never', match: { algorithm: 'regex', pattern: '^zzz+$' } });
    const document = await uploadAndProcess('bill.txt', 'text/plain', utf8('Your Invoice for October'));
    expect(document.topics).toEqual(['Invoices']);
    expect((await client.topics.counts.query()).Invoices).toBe(1);
    const [event] = await queryDatabase<{ details: { topics: string[] } }>(
      `select details from status_events where document_id = $1 and status = 'processed'`,
      [document.id],
    );
    expect(event?.details.topics).toEqual(['Invoices']);
    expect(
      (await client.documents.search.query({ query: 'october', topic: 'Invoices' })).items.map((i) => i.id),
    ).toEqual([document.id]);

    // A changed rule applies on reprocessing; the document keeps its topic once (count stays exact).
    await client.topics.update.mutate({
      id: invoices.id,
      match: { algorithm: 'literal', pattern: 'October' },
    });
    await client.documents.reprocess.mutate({ id: document.id });
    const again = await processed(client, document.id);
    expect(again.topics).toEqual(['Invoices']);
    expect((await client.topics.counts.query()).Invoices).toBe(1);
  });

  it('refuses a regex RE2 cannot compile, changing nothing', async () => {
    const error = await errorOf(
      client.topics.create.mutate({ name: 'Broken', match: { algorithm: 'regex', pattern: '(a)\\1' } }),
    );
    expect(error.code).toBe('BAD_REQUEST');
    expect(error.message).toContain('invalid regular expression');
    expect((await client.topics.list.query()).map((topic) => topic.name)).not.toContain('Broken');
  });

  it('a job that died mid-way (row left processing, no text) runs again and finishes once', async () => {
    const document = await uploadAndProcess(
      'crash.txt',
      'text/plain',
      utf8('walrus inventory after a crash'),
    );
    // What a worker killed between `processing` and its commit leaves behind.
    const [row] = await queryDatabase<{ processing_version: number }>(
      `update documents set processing_status = 'processing' where id = $1 returning processing_version`,
      [document.id],
    );
    await queryDatabase('delete from document_text where document_id = $1', [document.id]);
    expect((await client.documents.search.query({ query: 'walrus' })).items).toEqual([]);
    await queryDatabase(`select graphile_worker.add_job('process_document', $1::json)`, [
      JSON.stringify({
        documentId: document.id,
        userId: owner,
        version: row?.processing_version,
        reason: 'ready',
      }),
    ]);
    expect((await processed(client, document.id)).processing?.status).toBe('processed');
    expect((await client.documents.search.query({ query: 'walrus' })).items.map((hit) => hit.id)).toEqual([
      document.id,
    ]);
    const events = await queryDatabase<{ status: string }>(
      `select status from status_events where document_id = $1 and status = 'processed'`,
      [document.id],
    );
    expect(events).toHaveLength(2);
  });

  it('a job run again after it finished (a crash after commit) processes nothing twice', async () => {
    const document = await uploadAndProcess('once.txt', 'text/plain', utf8('processed exactly once'));
    const [row] = await queryDatabase<{ processing_version: number }>(
      'select processing_version from documents where id = $1',
      [document.id],
    );
    const key = `test-rerun:${document.id}`;
    await queryDatabase(`select graphile_worker.add_job('process_document', $1::json, job_key => $2)`, [
      JSON.stringify({
        documentId: document.id,
        userId: owner,
        version: row?.processing_version,
        reason: 'ready',
      }),
      key,
    ]);
    // Wait for the queue to have run it (and fail if it never did: the check below would prove nothing).
    let ran = false;
    for (let tries = 0; tries < 100 && !ran; tries++) {
      const [jobs] = await queryDatabase<{ count: string }>(
        'select count(*) from graphile_worker.jobs where key = $1',
        [key],
      );
      ran = jobs?.count === '0';
      if (!ran) await new Promise((resolve) => setTimeout(resolve, 100));
    }
    expect(ran).toBe(true);
    const events = await queryDatabase<{ status: string }>(
      `select status from status_events where document_id = $1 and status in ('processing', 'processed') order by id`,
      [document.id],
    );
    expect(events.map((event) => event.status)).toEqual(['processing', 'processed']);
  });
});
