/**
 * Prints the gzipped size of the built JavaScript and fails the build above the budget (200 KiB):
 * the page must stay quick to load on a phone.
 */
import { readdir, readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { gzipSync } from 'node:zlib';

const BUDGET_BYTES = 200 * 1024;
const dir = join(import.meta.dirname, '../dist/assets');
let raw = 0;
let gzipped = 0;
for (const name of await readdir(dir)) {
  if (!name.endsWith('.js')) continue;
  const bytes = await readFile(join(dir, name));
  raw += bytes.length;
  gzipped += gzipSync(bytes, { level: 9 }).length;
}
const kib = (n: number) => `${(n / 1024).toFixed(1)} KiB`;
console.log(`web bundle: JavaScript ${kib(raw)}, gzipped ${kib(gzipped)} (budget ${kib(BUDGET_BYTES)})`);
if (gzipped > BUDGET_BYTES) {
  console.error('web bundle: over budget');
  process.exitCode = 1;
}
