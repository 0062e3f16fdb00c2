/**
 * Extraction throughput: PDF text pages/s and OCR pages/s. Each extraction runs in ONE worker
 * thread; besides wall time, the CPU seconds this process spent (all its threads: the worker,
 * tesseract's nested thread, GC) are measured, so "pages per CPU-second" is the per-core figure
 * even when other work shares the machine. Rule matching over 1 MiB of text is timed too.
 * Run: npx -y pnpm@12.4.2 exec node --import tsx services/metadata/src/processing/testing/measure-throughput.ts
 */
import { readFileSync } from 'node:fs';
import { cpus, loadavg } from 'node:os';
import { extractDocument } from '../extract.ts';
import { compileRule } from '../rule-matching.ts';
import { parseMatchingRule } from '../rule-schema.ts';
import { writePdf } from './pdf-writer.ts';

const FIXTURES = new URL('../../../../../test/fixtures/', import.meta.url);
const jpeg = readFileSync(new URL('ocr-invoice.jpg', FIXTURES));
const png = readFileSync(new URL('ocr-invoice.png', FIXTURES));
const WORDS =
  'invoice total amount due policy insurance water damage garden shed report quarterly board'.split(' ');
const line = (i: number) =>
  Array.from({ length: 12 }, (_, j) => WORDS[(i * 7 + j * 3) % WORDS.length]).join(' ');
const textPdf = (pages: number) =>
  writePdf(
    Array.from({ length: pages }, (_, p) => ({ text: Array.from({ length: 40 }, (_, i) => line(p + i)) })),
  );
const scanPdf = (pages: number) =>
  writePdf(Array.from({ length: pages }, () => ({ jpeg, width: 1200, height: 300 })));

interface Cost {
  wall: number;
  cpu: number;
}

/** Median wall and CPU seconds of `runs` runs. */
async function measure(runs: number, run: () => Promise<unknown>): Promise<Cost> {
  const costs: Cost[] = [];
  for (let i = 0; i < runs; i++) {
    const cpu = process.cpuUsage();
    const started = performance.now();
    await run();
    const used = process.cpuUsage(cpu);
    costs.push({ wall: (performance.now() - started) / 1000, cpu: (used.user + used.system) / 1e6 });
  }
  const mid = (values: number[]) => values.sort((a, b) => a - b)[Math.floor(values.length / 2)] ?? 0;
  return { wall: mid(costs.map((c) => c.wall)), cpu: mid(costs.map((c) => c.cpu)) };
}

const rows: [string, string][] = [];
const fmt = (c: Cost) => `wall ${c.wall.toFixed(2)} s, cpu ${c.cpu.toFixed(2)} s`;
/** Pages per second from the difference of a long and a short run: the start cost cancels out. */
const rate = (pages: number, long: Cost, short: Cost) =>
  `${(pages / (long.wall - short.wall)).toFixed(1)} pages/s wall, ${(pages / (long.cpu - short.cpu)).toFixed(1)} pages per CPU-second`;

const tiny = await measure(3, () => extractDocument(new TextEncoder().encode('hi')));
rows.push(['worker start + a tiny text file', fmt(tiny)]);

const [few, many] = [10, 300];
const fewText = await measure(3, () => extractDocument(textPdf(few)));
const manyText = await measure(3, () => extractDocument(textPdf(many)));
rows.push([`PDF text layer, ${many} pages x 40 lines`, fmt(manyText)]);
rows.push([`PDF text layer, per page after start`, rate(many - few, manyText, fewText)]);

const oneScan = await measure(2, () => extractDocument(scanPdf(1)));
const sixScans = await measure(2, () => extractDocument(scanPdf(6)));
rows.push(['OCR, 1 text-less PDF page (worker + tesseract start)', fmt(oneScan)]);
rows.push(['OCR, 6 text-less PDF pages (rendered 1600 px wide)', fmt(sixScans)]);
rows.push(['OCR, per PDF page after start', rate(5, sixScans, oneScan)]);
rows.push([
  'OCR, one 1200x300 PNG (worker + tesseract start)',
  fmt(await measure(2, () => extractDocument(png))),
]);

let text = '';
for (let i = 0; text.length < 1024 * 1024; i++) text += `${line(i)}\n`;
for (const rule of [
  { algorithm: 'any', pattern: 'zebrafish okapi' },
  { algorithm: 'regex', pattern: 'invoice\\s+\\d{4}' },
  { algorithm: 'regex', pattern: '(x+x+)+y' },
  { algorithm: 'fuzzy', pattern: 'zebrafish logistics' },
] as const) {
  const matcher = compileRule(parseMatchingRule(rule));
  rows.push([
    `rule ${rule.algorithm} ${rule.pattern} over 1 MiB of text`,
    fmt(await measure(3, async () => matcher(text))),
  ]);
}

const load = loadavg()
  .map((l) => l.toFixed(1))
  .join(' ');
console.log(
  `node ${process.version}, ${cpus().length} cores (${cpus()[0]?.model ?? '?'}), load average ${load}`,
);
for (const [what, figure] of rows) console.log(`${what.padEnd(56)} ${figure}`);
