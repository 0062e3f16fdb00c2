import { readFileSync } from 'node:fs';
import { deflateSync } from 'node:zlib';
import { describe, expect, it } from 'vitest';
import { type Extraction, ExtractionError, extractDocument, sha256Hex } from './extract.ts';
import { writePdf } from './testing/pdf-writer.ts';
import { deflateRepeated, docxEntries, pngHeaderOnly, writeZip } from './testing/zip-writer.ts';

const FIXTURES = new URL('../../../../test/fixtures/', import.meta.url);
const ocrPng = readFileSync(new URL('ocr-invoice.png', FIXTURES));
const ocrJpeg = readFileSync(new URL('ocr-invoice.jpg', FIXTURES));
const utf8 = (text: string) => new TextEncoder().encode(text);

async function failure(promise: Promise<Extraction>): Promise<ExtractionError> {
  const error = await promise.then(
    () => undefined,
    (e: unknown) => e,
  );
  if (!(error instanceof ExtractionError))
    throw new Error(`expected an ExtractionError, got ${String(error)}`);
  return error;
}

// Each test starts worker threads; on a shared 2-core machine under load that can take seconds.
describe('extraction by sniffed type', { timeout: 60_000 }, () => {
  it('reads plain text, Markdown, CSV and JSON, choosing by name only for text', async () => {
    const plain = await extractDocument(utf8('Quarterly figures\r\nfor the board'), { name: 'notes.txt' });
    expect(plain).toMatchObject({ kind: 'text', text: 'Quarterly figures\nfor the board', truncated: false });
    const md = await extractDocument(utf8('# Heading\n\nSome *markdown* body'), { name: 'README.md' });
    expect(md).toMatchObject({ kind: 'markdown', mime: 'text/markdown' });
    expect(md.text).toContain('Some *markdown* body');
    const csv = await extractDocument(utf8('name,amount\nZebrafish,12\n'), { contentType: 'text/csv' });
    expect(csv).toMatchObject({ kind: 'csv' });
    expect(csv.text).toContain('Zebrafish,12');
    const json = await extractDocument(utf8('{"customer":{"name":"Okapi GmbH","total":42}}'), {
      name: 'a.json',
    });
    expect(json.kind).toBe('json');
    expect(json.text.split('\n')).toEqual(['customer', 'name', 'Okapi GmbH', 'total', '42']);
  });

  it('reads HTML as a reader sees it: no scripts, no styles, no link targets', async () => {
    const html = `<!doctype html><html><head><title>Pay slip</title><style>body{color:red}</style>
      <script>var secretToken = "abc123"; document.write("injected")</script></head>
      <body><h1>Salary statement</h1><p>Paid to <a href="https://evil.example/x">Marta</a> on time.</p>
      <noscript>enable javascript</noscript></body></html>`;
    const result = await extractDocument(utf8(html), { name: 'page.bin' });
    expect(result.kind).toBe('html');
    expect(result.text).toContain('Salary statement');
    expect(result.text).toContain('Paid to Marta on time.');
    for (const hidden of ['secretToken', 'injected', 'color:red', 'evil.example', 'enable javascript']) {
      expect(result.text).not.toContain(hidden);
    }
  });

  it('reads a DOCX by its bytes even when named .txt', async () => {
    const docx = writeZip(docxEntries(['Tenancy agreement for flat 4B', 'Rent due monthly']));
    const result = await extractDocument(docx, { name: 'contract.txt', contentType: 'text/plain' });
    expect(result.kind).toBe('docx');
    expect(result.text).toBe('Tenancy agreement for flat 4B\n\nRent due monthly');
  });

  it('reads a PDF text layer page by page, with the page count and language', async () => {
    const sentence = 'The insurance policy covers water damage in the kitchen and the bathroom of the house.';
    const pdf = writePdf([
      { text: ['Policy number 7731', sentence] },
      { text: ['Second page about the garden shed'] },
    ]);
    const result = await extractDocument(pdf, { name: 'policy.pdf' });
    expect(result).toMatchObject({ kind: 'pdf', pages: 2, ocrPages: 0, truncated: false, language: 'eng' });
    expect(result.text).toContain('Policy number 7731');
    expect(result.text).toContain('garden shed');
    expect(result.sha256).toBe(sha256Hex(pdf));
  });

  it('OCRs an image and a PDF page that has no text layer, offline', async () => {
    const image = await extractDocument(ocrPng, { name: 'scan.png' });
    expect(image).toMatchObject({ kind: 'image', mime: 'image/png', pages: 1, ocrPages: 1 });
    expect(image.text).toContain('Invoice from Zebrafish Logistics');
    expect(image.text).toContain('1234.56 EUR');

    const pdf = writePdf([
      { text: ['Cover letter with enough words to count as text'] },
      { jpeg: ocrJpeg, width: 1200, height: 300 },
    ]);
    const result = await extractDocument(pdf);
    expect(result).toMatchObject({ kind: 'pdf', pages: 2, ocrPages: 1 });
    expect(result.text).toContain('Cover letter');
    expect(result.text).toContain('Zebrafish Logistics');
  });

  it('caps text at maxTextChars and says so', async () => {
    const result = await extractDocument(utf8('word '.repeat(10_000)), {}, { maxTextChars: 1000 });
    expect(result.text.length).toBe(1000);
    expect(result.truncated).toBe(true);
  });

  it('refuses bytes that are neither a known type nor UTF-8 text', async () => {
    const elf = Buffer.concat([Buffer.from([0x7f, 0x45, 0x4c, 0x46, 2, 1, 1, 0]), Buffer.alloc(200, 1)]);
    expect((await failure(extractDocument(elf))).reason).toBe('unsupported_type');
    expect((await failure(extractDocument(Buffer.from([0xff, 0xfe, 0x00, 0x41, 0x80])))).reason).toBe(
      'unsupported_type',
    );
  });
});

describe('hostile files fail with a reason and harm nothing else', { timeout: 60_000 }, () => {
  it('a zip-bomb DOCX (256 MiB declared) stops before inflating', async () => {
    const bomb = await deflateRepeated(0x20, 256 * 1024 * 1024);
    const entries = docxEntries(['harmless']);
    const docx = writeZip([
      ...entries,
      { name: 'word/media/bomb.bin', data: new Uint8Array(), deflated: bomb },
    ]);
    expect(docx.length).toBeLessThan(1024 * 1024);
    const error = await failure(extractDocument(docx));
    expect(error.reason).toBe('archive_too_large');
    expect(error.sha256).toBe(sha256Hex(docx));
  });

  it('a DOCX that lies about its sizes is stopped inside the worker', async () => {
    const bomb = await deflateRepeated(0x20, 200 * 1024 * 1024);
    const [types, rels] = docxEntries([]);
    if (!types || !rels) throw new Error('fixture');
    const docx = writeZip([
      types,
      rels,
      { name: 'word/document.xml', data: new Uint8Array(), deflated: bomb, declaredSize: 1000 },
    ]);
    const error = await failure(extractDocument(docx, {}, { maxHeapMb: 128 }));
    expect(['corrupt', 'out_of_memory']).toContain(error.reason);
  });

  it('a PDF with 10,000 pages is refused by its page count', async () => {
    const pdf = writePdf([], { sharedPageCount: 10_000 });
    const error = await failure(extractDocument(pdf));
    expect(error.reason).toBe('too_many_pages');
    expect(error.message).toContain('10000 pages');
  });

  it('a PDF page that never ends (millions of drawing operators) is stopped by time or heap limit', async () => {
    const operators = Buffer.from('BT /F1 1 Tf (never ending text run) Tj ET\n'.repeat(400_000));
    const pdf = writePdf([{ deflatedContent: deflateSync(operators) }]);
    expect(pdf.length).toBeLessThan(256 * 1024);
    let ticks = 0;
    const interval = setInterval(() => ticks++, 10);
    const error = await failure(extractDocument(pdf, {}, { timeoutMs: 3000, maxHeapMb: 256 }));
    clearInterval(interval);
    expect(['timeout', 'out_of_memory']).toContain(error.reason);
    expect(ticks).toBeGreaterThan(20);
  });

  it('a corrupt PDF and a truncated PDF are corrupt', async () => {
    const corrupt = Buffer.concat([Buffer.from('%PDF-1.7\n'), Buffer.alloc(4000, 0x37)]);
    expect((await failure(extractDocument(corrupt))).reason).toBe('corrupt');
    const pdf = writePdf([{ text: ['a complete page of text here'] }, { text: ['another page'] }]);
    const truncated = pdf.subarray(0, Math.floor(pdf.length / 2));
    expect((await failure(extractDocument(truncated))).reason).toBe('corrupt');
  });

  it('an image claiming 100,000 x 100,000 pixels is refused before decoding', async () => {
    const error = await failure(extractDocument(pngHeaderOnly(100_000, 100_000)));
    expect(error.reason).toBe('image_too_large');
  });

  it('input over maxInputBytes is refused without starting a worker', async () => {
    const error = await failure(extractDocument(utf8('x'.repeat(2048)), {}, { maxInputBytes: 1024 }));
    expect(error.reason).toBe('too_large');
  });

  it('a parse that runs past its heap limit ends the worker: out_of_memory', async () => {
    const huge = utf8(`[${'"abcdefghijklmnopqrstuvwxyz",'.repeat(2_000_000)}1]`);
    const error = await failure(extractDocument(huge, { name: 'big.json' }, { maxHeapMb: 32 }));
    expect(error.reason).toBe('out_of_memory');
  });

  it('an extraction past its time limit is terminated while the caller stays responsive', async () => {
    let ticks = 0;
    const interval = setInterval(() => ticks++, 10);
    const started = performance.now();
    const slow = failure(extractDocument(ocrPng, {}, { timeoutMs: 300 }));
    // Another document extracts fine at the same time.
    const other = await extractDocument(utf8('an unrelated note'), { name: 'n.txt' });
    const error = await slow;
    clearInterval(interval);
    expect(error.reason).toBe('timeout');
    expect(performance.now() - started).toBeLessThan(15_000);
    expect(other.text).toBe('an unrelated note');
    expect(ticks).toBeGreaterThan(5);
  });

  it('does not detach or change the caller bytes', async () => {
    const bytes = utf8('keep me');
    await extractDocument(bytes);
    expect(new TextDecoder().decode(bytes)).toBe('keep me');
  });
});
