/**
 * `pnpm bench [--quick]`: docstore against its floors (raw S3, raw SQL) on this machine, in one run,
 * A/B interleaved, several rounds, medians. Prints a table of ratios and writes bench/results.json.
 */
import { randomBytes } from 'node:crypto';
import { createWriteStream } from 'node:fs';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { finished } from 'node:stream/promises';
import { fileURLToPath } from 'node:url';
import { MiB } from './measure.ts';
import { report } from './report.ts';
import { transferScenario } from './scenarios/transfer.ts';
import { startBenchStack } from './stack.ts';

const quick = process.argv.includes('--quick');
const uploadMiB = Number(process.env.BENCH_UPLOAD_MB ?? (quick ? 16 : 256));
const rounds = Number(process.env.BENCH_ROUNDS ?? (quick ? 2 : 5));

/** A file of random bytes, written in 1 MiB chunks (never whole in memory). */
async function randomFile(dir: string, mib: number): Promise<string> {
  const path = join(dir, `upload-${mib}.bin`);
  const out = createWriteStream(path);
  for (let index = 0; index < mib; index += 1) {
    if (!out.write(randomBytes(MiB)))
      await new Promise<void>((resolve) => out.once('drain', () => resolve()));
  }
  out.end();
  await finished(out);
  return path;
}

const scratch = await mkdtemp(join(tmpdir(), 'docstore-bench-data-'));
const stack = await startBenchStack({ maxUploadBytes: 8 * 1024 * MiB });
try {
  const file = await randomFile(scratch, uploadMiB);
  process.stdout.write(`bench: ${uploadMiB} MiB transfers, ${rounds} rounds${quick ? ' (quick)' : ''}\n`);
  const results = await transferScenario(stack, file, rounds);
  await report(results, fileURLToPath(new URL('./results.json', import.meta.url)), {
    quick,
    uploadMiB,
    rounds,
  });
} finally {
  await stack.stop();
  await rm(scratch, { recursive: true, force: true });
}
