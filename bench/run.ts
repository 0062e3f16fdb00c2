/**
 * `pnpm bench [--quick] [--rounds N] [--duration S] [--requests N] [--load-seconds S] [--only a,b]`:
 * docstore against its floors (presigned S3 PUT/GET, a bare node:http + pg server, bare ws + LISTEN,
 * a minimal tRPC ws server) on this machine, in one run: a warm-up round, then rounds in which
 * docstore and its floor alternate, medians with their spread. Prints a table of ratios and writes
 * bench/results.json. `--quick` (CI) runs everything small and asserts no speed.
 *
 * To check a figure, run it longer: `pnpm bench --only calls --rounds 15 --duration 10` should land
 * inside the spread the default run printed.
 *
 * Sizes (quick / full), flags or environment: --rounds / BENCH_ROUNDS (2 / 5), --duration /
 * BENCH_CALL_SECONDS (seconds of each 32-in-flight window, 0.3 / 3), --requests / BENCH_READS (calls
 * per round at 1 in flight, 20 / 200), --load-seconds / BENCH_LOAD_SECONDS (5 / 60; the RSS is read
 * again as long after), BENCH_UPLOAD_MB, BENCH_SLOW_MB, BENCH_SLOW_S3_MBPS, BENCH_DOCS (5,000 /
 * 100,000; 1,000,000 works, seeding ~70 s and walking to the middle ~4 min), BENCH_SUBSCRIBERS,
 * BENCH_EVENTS. --only / BENCH_ONLY=transfer,slow,calls,fanout,load picks scenarios ("reads" is
 * "calls"). BENCH_PROFILE_DIR=/dir writes CPU profiles of the metadata service over each measured
 * window (summarise: bench/profile-summary.ts).
 */
import { randomBytes } from 'node:crypto';
import { createWriteStream } from 'node:fs';
import { mkdtemp, rm } from 'node:fs/promises';
import { loadavg, tmpdir } from 'node:os';
import { join } from 'node:path';
import { finished } from 'node:stream/promises';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import { MiB } from './measure.ts';
import { type Result, report } from './report.ts';
import { callsScenario } from './scenarios/calls.ts';
import { loadScenario } from './scenarios/load.ts';
import { slowS3MemoryScenario } from './scenarios/slow-s3-memory.ts';
import { statusFanoutScenario } from './scenarios/status-fanout.ts';
import { transferScenario } from './scenarios/transfer.ts';
import { seedLibrary } from './seed.ts';
import { startBenchStack } from './stack.ts';

const { values: flags } = parseArgs({
  options: {
    quick: { type: 'boolean', default: false },
    rounds: { type: 'string' },
    duration: { type: 'string' },
    requests: { type: 'string' },
    'load-seconds': { type: 'string' },
    only: { type: 'string' },
  },
});
const quick = flags.quick ?? false;
/** A flag, else an environment variable, else the quick or full default. */
const setting = (flag: string | undefined, variable: string, quickValue: number, fullValue: number) => {
  const value = Number(flag ?? process.env[variable] ?? (quick ? quickValue : fullValue));
  if (!Number.isFinite(value) || value <= 0) throw new Error(`bench: ${variable} must be a positive number`);
  return value;
};
/** Before the bench starts anything: what else keeps this machine busy. */
const loadAverageAtStart = loadavg().map((value) => Number(value.toFixed(2)));
const uploadMiB = setting(undefined, 'BENCH_UPLOAD_MB', 8, 256);
const rounds = Math.round(setting(flags.rounds, 'BENCH_ROUNDS', 2, 5));
const slowMiB = setting(undefined, 'BENCH_SLOW_MB', 32, 1024);
const slowMiBps = setting(undefined, 'BENCH_SLOW_S3_MBPS', 16, 64);
const documents = setting(undefined, 'BENCH_DOCS', 5_000, 100_000);
const requests = Math.round(setting(flags.requests, 'BENCH_READS', 20, 200));
const callSeconds = setting(flags.duration, 'BENCH_CALL_SECONDS', 0.3, 3);
const loadSeconds = setting(flags['load-seconds'], 'BENCH_LOAD_SECONDS', 5, 60);
const subscribers = setting(undefined, 'BENCH_SUBSCRIBERS', 250, 1_000);
const events = setting(undefined, 'BENCH_EVENTS', 20, 200);
/** `--only calls,load` runs only those of: transfer, slow, calls (alias reads), fanout, load. */
const only = (flags.only ?? process.env.BENCH_ONLY)
  ?.split(',')
  .map((name) => (name.trim() === 'reads' ? 'calls' : name.trim()));
const runs = (scenario: string) => !only || only.includes(scenario);
const benchStarted = performance.now();
/** Each line with the seconds since the bench started: where a slow run spends its time. */
const log = (line: string) =>
  process.stdout.write(`[${((performance.now() - benchStarted) / 1000).toFixed(0).padStart(4)} s] ${line}\n`);

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
  log(`bench: ${rounds} rounds after a warm-up${quick ? ' (quick)' : ''}`);
  const results: Result[] = [];
  if (runs('slow')) {
    log(`bench: ${slowMiB} MiB into S3 slowed to ${slowMiBps} MiB/s`);
    results.push(...(await slowS3MemoryScenario(await randomFile(scratch, slowMiB), slowMiBps * MiB)));
  }
  // One stack for the rest (starting one costs seconds): the load goes last, as it leaves the
  // services with more documents and memory than the other scenarios should start from.
  if (runs('transfer') || runs('calls') || runs('fanout') || runs('load')) {
    const stack = await startBenchStack({ maxUploadBytes: 8 * 1024 * MiB });
    try {
      if (runs('transfer')) {
        log(`bench: ${uploadMiB} MiB transfers, ${rounds} rounds`);
        results.push(...(await transferScenario(stack, await randomFile(scratch, uploadMiB), rounds)));
      }
      const seeded =
        runs('calls') || runs('load')
          ? await seedLibrary(stack.databaseUrl, { documents, topics: 50, log })
          : null;
      if (seeded) {
        log(
          `bench: seeded ${documents.toLocaleString('en-US')} documents, ${seeded.links.toLocaleString('en-US')} topic links in ${seeded.seconds.toFixed(1)} s`,
        );
      }
      if (seeded && runs('calls')) {
        log(`bench: calls, ${rounds} rounds of ${requests} calls at 1 in flight and ${callSeconds} s at 32`);
        results.push(
          ...(await callsScenario(stack, seeded, { rounds, requests, windowMs: callSeconds * 1000, log })),
        );
      }
      if (runs('fanout')) {
        log(`bench: status fan-out to ${subscribers} subscribers, ${events} events`);
        results.push(...(await statusFanoutScenario(stack, { subscribers, events, rounds, log })));
      }
      if (seeded && runs('load')) {
        log(`bench: load, ${loadSeconds} s`);
        results.push(
          ...(await loadScenario(stack, seeded, { seconds: loadSeconds, afterSeconds: loadSeconds, log })),
        );
      }
    } finally {
      await stack.stop();
    }
  }
  log('bench: all scenarios done');
  const settings = {
    loadAverageAtStart,
    quick,
    uploadMiB,
    rounds,
    slowMiB,
    slowMiBps,
    documents,
    requests,
    callSeconds,
    loadSeconds,
    subscribers,
    events,
  };
  await report(results, fileURLToPath(new URL('./results.json', import.meta.url)), settings);
} finally {
  await rm(scratch, { recursive: true, force: true });
}
