/**
 * The web app in a real browser (Debian's Chromium through playwright-core) against the real stack:
 * sign-in by link, drag and drop of two files (one through the service, one straight to storage),
 * live progress and status, topic filter and counts, retagging, download, delete, and a document
 * uploaded from outside (the typed client, as the CLI does) appearing live.
 */
import { randomUUID } from 'node:crypto';
import { readFile } from 'node:fs/promises';
import { fileURLToPath } from 'node:url';
import { createMetadataClient, uploadDocument } from '@docstore/contract';
import type { Page } from 'playwright-core';
import { expect, inject, onTestFailed, test } from 'vitest';
import { useWebUnderTest } from '../support/browser.ts';
import { MiB } from '../support/bytes.ts';
import { tokenFor } from '../support/metadata.ts';

/** The README's screenshot: rewritten only on request (`UPDATE_SCREENSHOT=1`), so a test run leaves the tree clean. */
const SCREENSHOT = fileURLToPath(new URL('../../docs/web-library.png', import.meta.url));
const UPDATE_SCREENSHOT = process.env.UPDATE_SCREENSHOT === '1';
const under = useWebUnderTest('web');

/**
 * The browser globals the page-side functions below use: this project type-checks against Node's
 * types, and DOM types would change every other file's. (Functions passed to page.evaluate run in the
 * page: they can use nothing from this module but types.)
 */
interface PageGlobals {
  document: {
    body: unknown;
    documentElement: { scrollWidth: number };
    querySelectorAll(selector: string): ArrayLike<PageElement>;
  };
  MutationObserver: new (callback: () => void) => { observe(target: unknown, options: object): void };
  DataTransfer: new () => { items: { add(file: File): void } };
  phases?: Record<string, string[]>;
}
interface PageElement {
  dataset: Record<string, string | undefined>;
  querySelector(selector: string): { value: number } | null;
}

/** The same bytes in the page and here: byte i of file `seed` is (i * 31 + seed) mod 256. */
function patternBytes(size: number, seed: number): Buffer {
  const bytes = Buffer.alloc(size);
  for (let i = 0; i < size; i++) bytes[i] = (i * 31 + seed) & 255;
  return bytes;
}

/** Drops files made in the page onto the drop zone, as a person dragging them from the desktop would. */
async function dropFiles(
  page: Page,
  files: Array<{ name: string; size: number; seed: number; type: string }>,
) {
  const transfer = await page.evaluateHandle((specs) => {
    const data = new (globalThis as unknown as PageGlobals).DataTransfer();
    for (const spec of specs) {
      const bytes = new Uint8Array(spec.size);
      for (let i = 0; i < spec.size; i++) bytes[i] = (i * 31 + spec.seed) & 255;
      data.items.add(new File([bytes], spec.name, { type: spec.type }));
    }
    return data;
  }, files);
  await page.dispatchEvent('[data-testid=drop-zone]', 'drop', { dataTransfer: transfer });
}

/** Every phase (and progress value) each upload row showed, recorded in the page as it changes. */
async function recordPhases(page: Page): Promise<void> {
  await page.evaluate(() => {
    const seen: Record<string, string[]> = {};
    const page = globalThis as unknown as PageGlobals;
    page.phases = seen;
    const record = () => {
      for (const row of Array.from(page.document.querySelectorAll('[data-testid=upload-row]'))) {
        const name = row.dataset.name ?? '';
        const progress = row.querySelector('progress')?.value ?? 0;
        const entry = `${row.dataset.phase}:${progress}`;
        const list = seen[name] ?? [];
        seen[name] = list;
        if (list.at(-1) !== entry) list.push(entry);
      }
    };
    new page.MutationObserver(record).observe(page.document.body, {
      subtree: true,
      childList: true,
      attributes: true,
    });
  });
}

/** Waits for what the page shows (it changes as events arrive) to reach the expected value. */
const eventually = <T>(read: () => Promise<T>, options: { timeout?: number } = {}) =>
  expect.poll(read, { timeout: options.timeout ?? 15_000, interval: 100 });

const countOf = (page: Page, topic: string) =>
  page.locator(`[data-testid=topic-filter][data-topic="${topic}"] [data-testid=topic-count]`);
const documentRow = (page: Page, name: string) => page.locator(`[data-testid=document][data-name="${name}"]`);

test('a person signs in, drops files, watches them arrive, and manages the library', async () => {
  const userId = randomUUID();
  const token = await tokenFor(userId, 600);
  const context = await under.browser.newContext({ viewport: { width: 1100, height: 820 } });
  const page = await context.newPage();
  const problems: string[] = [];
  page.on('console', (message) => message.type() === 'error' && problems.push(message.text()));
  page.on('pageerror', (error) => problems.push(error.message));
  onTestFailed(async () => {
    const text = await page
      .locator('body')
      .textContent()
      .catch(() => '(page gone)');
    console.error(`console errors: ${JSON.stringify(problems)}\npage text:\n${text}`);
  });

  // Sign in by link: the token travels in the fragment and leaves the address bar at once.
  await page.goto(under.web.signInUrl(token));
  await eventually(() => page.getByRole('navigation', { name: 'Main' }).isVisible()).toBe(true);
  expect(page.url()).toBe(`${under.web.url}/`);
  await eventually(() => page.getByText('No documents yet').isVisible()).toBe(true);

  // A topic, made in the Topics view; it appears in the library's filter with a count of 0.
  await page.getByRole('button', { name: 'Topics' }).click();
  await page.getByLabel('New topic').fill('invoices');
  await page.getByRole('button', { name: 'Create' }).click();
  await eventually(() => page.getByText('Topic “invoices” created.').isVisible()).toBe(true);
  await page.getByRole('button', { name: 'Library' }).click();
  await eventually(() => countOf(page, 'invoices').textContent()).toBe('0');

  // Two files at once, both tagged: the large one goes straight to storage (presigned PUT, throttled
  // so that its progress is visible), the small one through the service.
  await page.getByRole('checkbox', { name: 'invoices' }).check();
  const small = { name: 'small-note.txt', size: 300 * 1024, seed: 7, type: 'text/plain' };
  const large = { name: 'large-scan.bin', size: 24 * MiB, seed: 11, type: 'application/octet-stream' };
  const cdp = await context.newCDPSession(page);
  await cdp.send('Network.emulateNetworkConditions', {
    offline: false,
    latency: 0,
    downloadThroughput: -1,
    uploadThroughput: 12 * MiB,
  });
  await recordPhases(page);
  await dropFiles(page, [small, large]);
  // Both settle (ready or failed: a failure ends the wait at once, and the assertions below show it).
  const settled = '[data-testid=upload-row][data-phase=ready], [data-testid=upload-row][data-phase=failed]';
  await eventually(() => page.locator(settled).count(), { timeout: 60_000 }).toBe(2);
  await cdp.send('Network.emulateNetworkConditions', {
    offline: false,
    latency: 0,
    downloadThroughput: -1,
    uploadThroughput: -1,
  });
  const phases = (await page.evaluate(() => (globalThis as unknown as PageGlobals).phases)) ?? {};
  const largeSeen = phases[large.name] ?? [];
  // Partial progress while the bytes went up, then processing, then ready.
  expect(
    largeSeen.some((entry) => /^uploading:([1-9]\d?)$/.test(entry)),
    largeSeen.join(' '),
  ).toBe(true);
  expect(largeSeen.at(-1)).toBe('ready:100');
  expect(phases[small.name]?.length, (phases[small.name] ?? []).join(' ')).toBeGreaterThan(1);
  expect(phases[small.name]?.at(-1)).toBe('ready:100');

  // Both documents are in the library, and the topic counts both.
  await eventually(() => documentRow(page, large.name).getAttribute('data-status')).toBe('ready');
  await eventually(() => documentRow(page, small.name).getAttribute('data-status')).toBe('ready');
  await eventually(() => countOf(page, 'invoices').textContent()).toBe('2');

  // Retag: the small file loses the topic; the count drops and the filter shows only the large one.
  await documentRow(page, small.name).getByRole('button').click();
  await page.getByRole('dialog').getByRole('checkbox', { name: 'invoices' }).uncheck();
  await page.getByRole('button', { name: 'Save topics' }).click();
  await eventually(() => page.getByText('Topics saved.').isVisible()).toBe(true);
  await eventually(() => countOf(page, 'invoices').textContent()).toBe('1');

  // Download it: the bytes are the ones dropped.
  const [download] = await Promise.all([
    page.waitForEvent('download'),
    page.getByRole('button', { name: 'Download' }).click(),
  ]);
  expect(download.suggestedFilename()).toBe(small.name);
  const path = await download.path();
  expect((await readFile(path)).equals(patternBytes(small.size, small.seed))).toBe(true);
  await page.getByRole('button', { name: 'Close' }).click();

  await page.locator('[data-testid=topic-filter][data-topic=invoices]').click();
  await eventually(() => page.locator('[data-testid=document]').count()).toBe(1);
  expect(await documentRow(page, large.name).count()).toBe(1);
  await page.getByRole('button', { name: 'All documents' }).click();
  await eventually(() => page.locator('[data-testid=document]').count()).toBe(2);

  // Delete the large one, after confirming.
  await documentRow(page, large.name).getByRole('button').click();
  await page.getByRole('button', { name: 'Delete…' }).click();
  await page.getByRole('button', { name: 'Yes, delete' }).click();
  await eventually(() => documentRow(page, large.name).count()).toBe(0);
  await eventually(() => countOf(page, 'invoices').textContent()).toBe('0');

  // Uploaded from outside the page (the typed client, as the CLI does): it appears live and counts.
  const outside = createMetadataClient({ url: inject('metadataUrl'), token });
  const fromCli = Buffer.from('uploaded by the CLI while the page was open\n');
  await uploadDocument(
    outside,
    { name: 'from-the-cli.txt', mimeType: 'text/plain', topics: ['invoices'] },
    fromCli,
  );
  await eventually(() => documentRow(page, 'from-the-cli.txt').getAttribute('data-status')).toBe('ready');
  await eventually(() => countOf(page, 'invoices').textContent()).toBe('1');

  const screenshot = await page.screenshot({
    fullPage: true,
    ...(UPDATE_SCREENSHOT ? { path: SCREENSHOT } : {}),
  });
  expect(screenshot.subarray(1, 4).toString('latin1')).toBe('PNG');
  await page.getByRole('button', { name: 'Clear finished' }).click();
  await eventually(() => page.locator('[data-testid=upload-row]').count()).toBe(0);

  // Usable on a small phone: nothing wider than 360 px.
  await page.setViewportSize({ width: 360, height: 740 });
  expect(
    await page.evaluate(() => (globalThis as unknown as PageGlobals).document.documentElement.scrollWidth),
  ).toBeLessThanOrEqual(360);

  expect(problems).toEqual([]);
  await context.close();
});

test('the library pages as it scrolls, a reload mid-upload shows the truth, and a bad token is refused', async () => {
  const userId = randomUUID();
  const token = await tokenFor(userId, 600);
  const outside = createMetadataClient({ url: inject('metadataUrl'), token });
  for (let i = 0; i < 32; i++) {
    const name = `page-${String(i).padStart(2, '0')}.txt`;
    await uploadDocument(outside, { name, mimeType: 'text/plain' }, Buffer.from(`document ${i}\n`));
  }
  const context = await under.browser.newContext({ viewport: { width: 900, height: 700 } });
  const page = await context.newPage();
  const problems: string[] = [];
  page.on('console', (message) => message.type() === 'error' && problems.push(message.text()));
  page.on('pageerror', (error) => problems.push(error.message));

  // Newest first, one page of 30; the rest arrives when the end of the list scrolls into view.
  await page.goto(under.web.signInUrl(token));
  await eventually(() => page.locator('[data-testid=document]').count()).toBe(30);
  expect(await page.locator('[data-testid=document]').first().getAttribute('data-name')).toBe('page-31.txt');
  await page.locator('.sentinel').scrollIntoViewIfNeeded();
  await eventually(() => page.locator('[data-testid=document]').count()).toBe(32);
  expect(await page.locator('[data-testid=document]').last().getAttribute('data-name')).toBe('page-00.txt');

  // Keyboard: Enter opens a document, Escape closes it.
  await documentRow(page, 'page-05.txt').getByRole('button').focus();
  await page.keyboard.press('Enter');
  await eventually(() => page.getByRole('dialog').isVisible()).toBe(true);
  await page.keyboard.press('Escape');
  await eventually(() => page.getByRole('dialog').count()).toBe(0);

  // A direct upload, slowed down, and the page reloaded while its bytes go up: the page then shows
  // what the server knows (an unfinished upload), not a fiction of its own.
  const cdp = await context.newCDPSession(page);
  await cdp.send('Network.emulateNetworkConditions', {
    offline: false,
    latency: 0,
    downloadThroughput: -1,
    uploadThroughput: 2 * MiB,
  });
  await dropFiles(page, [
    { name: 'interrupted.bin', size: 12 * MiB, seed: 3, type: 'application/octet-stream' },
  ]);
  await eventually(() =>
    page.locator('[data-testid=upload-row][data-name="interrupted.bin"] progress').getAttribute('value'),
  ).not.toBe('0');
  await page.reload();
  const row = page.locator('[data-testid=upload-row][data-name="interrupted.bin"]');
  await eventually(() => row.getAttribute('data-phase')).toBe('pending');
  expect(await row.textContent()).toContain('unfinished on the server');
  expect(await documentRow(page, 'interrupted.bin').getAttribute('data-status')).toBe('pending');
  expect(problems).toEqual([]);
  await context.close();

  // A page that brings a bad token is told so, in words, and stays signed out.
  const stranger = await under.browser.newPage();
  await stranger.goto(under.web.signInUrl('not-a-token'));
  await eventually(() => stranger.getByRole('alert').textContent()).toBe(
    'That token is not valid or has expired.',
  );
  expect(await stranger.getByLabel('Access token').isVisible()).toBe(true);
  await stranger.close();
});
