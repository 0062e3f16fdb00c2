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
import { type Result, report } from './report.ts';
import { slowS3MemoryScenario } from './scenarios/slow-s3-memory.ts';
import { transferScenario } from './scenarios/transfer.ts';
import { startBenchStack } from './stack.ts';

const quick = process.argv.includes('--quick');
const uploadMiB = Number(process.env.BENCH_UPLOAD_MB ?? (quick ? 16 : 256));
const rounds = Number(process.env.BENCH_ROUNDS ?? (quick ? 2 : 5));
const slowMiB = Number(process.env.BENCH_SLOW_MB ?? (quick ? 32 : 1024));
const slowMiBps = Number(process.env.BENCH_SLOW_S3_MBPS ?? (quick ? 16 : 64));

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
try {
  process.stdout.write(`bench: ${uploadMiB} MiB transfers, ${rounds} rounds${quick ? ' (quick)' : ''}\n`);
  const results: Result[] = [];
  const stack = await startBenchStack({ maxUploadBytes: 8 * 1024 * MiB });
  try {
    results.push(...(await transferScenario(stack, await randomFile(scratch, uploadMiB), rounds)));
  } finally {
    await stack.stop();
  }
  process.stdout.write(`bench: ${slowMiB} MiB into S3 slowed to ${slowMiBps} MiB/s\n`);
  results.push(...(await slowS3MemoryScenario(await randomFile(scratch, slowMiB), slowMiBps * MiB)));
  const settings = { quick, uploadMiB, rounds, slowMiB, slowMiBps };
  await report(results, fileURLToPath(new URL('./results.json', import.meta.url)), settings);
} finally {
  await rm(scratch, { recursive: true, force: true });
}
