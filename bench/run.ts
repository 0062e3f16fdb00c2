/**
 * `pnpm bench [--quick]`: docstore against its floors (raw S3, raw SQL) on this machine, in one run,
 * A/B interleaved, several rounds, medians. Prints a table of ratios and writes bench/results.json.
 *
 * Sizes (quick / full): BENCH_UPLOAD_MB, BENCH_ROUNDS, BENCH_SLOW_MB, BENCH_SLOW_S3_MBPS,
 * BENCH_DOCS (5,000 / 100,000; 1,000,000 works, seeding ~70 s and walking to the middle ~4 min),
 * BENCH_READS (requests per read), BENCH_CALL_SECONDS (per round), BENCH_SUBSCRIBERS, BENCH_EVENTS.
 * BENCH_ONLY=transfer,slow,reads,calls,fanout picks scenarios. BENCH_PROFILE_DIR=/dir writes CPU
 * profiles of the metadata service over each measured window (summarise: bench/profile-summary.ts).
 */
import { randomBytes } from 'node:crypto';
import { createWriteStream } from 'node:fs';
import { mkdtemp, rm } from 'node:fs/promises';
import { loadavg, tmpdir } from 'node:os';
import { join } from 'node:path';
import { finished } from 'node:stream/promises';
import { fileURLToPath } from 'node:url';
import { MiB } from './measure.ts';
import { type Result, report } from './report.ts';
import { callOverheadScenario } from './scenarios/call-overhead.ts';
import { metadataReadsScenario } from './scenarios/metadata-reads.ts';
import { slowS3MemoryScenario } from './scenarios/slow-s3-memory.ts';
import { statusFanoutScenario } from './scenarios/status-fanout.ts';
import { transferScenario } from './scenarios/transfer.ts';
import { seedLibrary } from './seed.ts';
import { startBenchStack } from './stack.ts';

const quick = process.argv.includes('--quick');
/** Before the bench starts anything: what else keeps this machine busy. */
const loadAverageAtStart = loadavg().map((value) => Number(value.toFixed(2)));
const uploadMiB = Number(process.env.BENCH_UPLOAD_MB ?? (quick ? 16 : 256));
const rounds = Number(process.env.BENCH_ROUNDS ?? (quick ? 2 : 5));
const slowMiB = Number(process.env.BENCH_SLOW_MB ?? (quick ? 32 : 1024));
const slowMiBps = Number(process.env.BENCH_SLOW_S3_MBPS ?? (quick ? 16 : 64));
const documents = Number(process.env.BENCH_DOCS ?? (quick ? 5_000 : 100_000));
const reads = Number(process.env.BENCH_READS ?? (quick ? 50 : 200));
const callSeconds = Number(process.env.BENCH_CALL_SECONDS ?? (quick ? 1 : 3));
const subscribers = Number(process.env.BENCH_SUBSCRIBERS ?? (quick ? 250 : 1_000));
const events = Number(process.env.BENCH_EVENTS ?? (quick ? 20 : 200));
/** `BENCH_ONLY=reads,calls` runs only those of: transfer, slow, reads, calls, fanout. */
const only = process.env.BENCH_ONLY?.split(',').map((name) => name.trim());
const runs = (scenario: string) => !only || only.includes(scenario);
const log = (line: string) => process.stdout.write(`${line}\n`);

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
  if (runs('transfer')) {
    const stack = await startBenchStack({ maxUploadBytes: 8 * 1024 * MiB });
    try {
      results.push(...(await transferScenario(stack, await randomFile(scratch, uploadMiB), rounds)));
    } finally {
      await stack.stop();
    }
  }
  if (runs('slow')) {
    log(`bench: ${slowMiB} MiB into S3 slowed to ${slowMiBps} MiB/s`);
    results.push(...(await slowS3MemoryScenario(await randomFile(scratch, slowMiB), slowMiBps * MiB)));
  }
  if (runs('reads') || runs('calls')) {
    const stack = await startBenchStack({ maxUploadBytes: MiB });
    try {
      const seeded = await seedLibrary(stack.databaseUrl, { documents, topics: 50, log });
      log(
        `bench: seeded ${documents.toLocaleString('en-US')} documents, ${seeded.links.toLocaleString('en-US')} topic links in ${seeded.seconds.toFixed(1)} s`,
      );
      if (runs('reads')) {
        log(`bench: metadata reads, ${reads} requests each`);
        results.push(...(await metadataReadsScenario(stack, seeded, { requests: reads, warmup: 20, log })));
      }
      if (runs('calls')) {
        log(`bench: documents.get call overhead, ${rounds} rounds of ${callSeconds} s`);
        results.push(
          ...(await callOverheadScenario(stack, seeded, { rounds, secondsPerRound: callSeconds, log })),
        );
      }
    } finally {
      await stack.stop();
    }
  }
  if (runs('fanout')) {
    log(`bench: status fan-out to ${subscribers} subscribers, ${events} events`);
    const stack = await startBenchStack({ maxUploadBytes: MiB });
    try {
      results.push(...(await statusFanoutScenario(stack, { subscribers, events, log })));
    } finally {
      await stack.stop();
    }
  }
  const settings = {
    loadAverageAtStart,
    quick,
    uploadMiB,
    rounds,
    slowMiB,
    slowMiBps,
    documents,
    reads,
    callSeconds,
    subscribers,
    events,
  };
  await report(results, fileURLToPath(new URL('./results.json', import.meta.url)), settings);
} finally {
  await rm(scratch, { recursive: true, force: true });
}
