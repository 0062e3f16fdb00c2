import { randomBytes, randomInt } from 'node:crypto';
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { createMetadataClient, uploadDocument } from '@docstore/contract';
import { MiB, percentile, rssOf, sleep } from '../measure.ts';
import type { Result } from '../report.ts';
import type { SeededLibrary } from '../seed.ts';
import { type BenchStack, benchToken } from '../stack.ts';

const UPLOADERS = 16;
const CALLERS = 32;
const MIN_UPLOAD = MiB;
const MAX_UPLOAD = 8 * MiB;
/** How often the services' RSS is sampled for the peak. */
const SAMPLE_MS = 100;

export interface LoadOptions {
  /** How long the load runs. */
  seconds: number;
  /** How long after the load the services' RSS is read again. */
  afterSeconds: number;
  log: (line: string) => void;
}

/**
 * What a failed call is, for counting: the contract's code (appCode) when the service sent one,
 * else tRPC's code, else the error's name (a network failure, a timeout).
 */
export function errorCode(error: unknown): string {
  if (typeof error === 'object' && error !== null) {
    const data = (error as { data?: { appCode?: unknown; code?: unknown } }).data;
    if (typeof data?.appCode === 'string') return data.appCode;
    if (typeof data?.code === 'string') return data.code;
    const code = (error as { code?: unknown }).code;
    if (typeof code === 'string') return code;
  }
  return error instanceof Error ? error.name : 'unknown';
}

/** Proportional set sizes of a process and its children, in bytes (PostgreSQL: one process per connection). */
function pssOfTree(root: number): number {
  const pids = [root];
  for (const entry of readdirSync('/proc')) {
    if (!/^\d+$/.test(entry)) continue;
    try {
      const stat = readFileSync(join('/proc', entry, 'stat'), 'utf8');
      // Field 4 (ppid), after the parenthesised command name.
      const ppid = Number(stat.slice(stat.lastIndexOf(')') + 2).split(' ')[1]);
      if (ppid === root) pids.push(Number(entry));
    } catch {
      // Gone meanwhile.
    }
  }
  let total = 0;
  for (const pid of pids) {
    try {
      const rollup = readFileSync(`/proc/${pid}/smaps_rollup`, 'utf8');
      total += Number(/Pss:\s+(\d+) kB/.exec(rollup)?.[1] ?? 0) * 1024;
    } catch {
      // Gone meanwhile.
    }
  }
  return total;
}

interface Sampled {
  name: string;
  read: () => number;
}

/**
 * Issue 9's load: `seconds` of 16 concurrent proxied uploads (1-8 MiB of random bytes each) and 32
 * concurrent loops of documents.list / topics.counts, each loop and each uploader a typed client of
 * its own (one user). Reports calls, errors by code (target 0), p50/p99 per kind, each service's RSS
 * before, at its peak, and `afterSeconds` after the load (PostgreSQL: PSS of all its processes).
 */
export async function loadScenario(
  stack: BenchStack,
  seeded: SeededLibrary,
  options: LoadOptions,
): Promise<Result[]> {
  const token = await benchToken(stack, seeded.userId);
  const client = () => createMetadataClient({ url: stack.metadata.url, token });
  // Random bytes; each upload is a slice at a random offset, so no two bodies are alike.
  const pool = randomBytes(MAX_UPLOAD * 2);
  const processes: Sampled[] = [
    { name: 'metadata service', read: () => rssOf(stack.metadata.child.pid ?? 0) },
    { name: 'blob service', read: () => rssOf(stack.blob.child.pid ?? 0) },
    { name: 'S3 server (s3rver)', read: () => rssOf(stack.s3.child.pid ?? 0) },
    { name: 'PostgreSQL (PSS, all processes)', read: () => pssOfTree(stack.postgresPid) },
  ];
  const before = processes.map((sampled) => sampled.read());
  const peak = [...before];
  const sampler = setInterval(() => {
    processes.forEach((sampled, index) => {
      peak[index] = Math.max(peak[index] ?? 0, sampled.read());
    });
  }, SAMPLE_MS);

  const latencies = {
    'documents.list': [] as number[],
    'topics.counts': [] as number[],
    upload: [] as number[],
  };
  const errors = new Map<string, number>();
  let uploadedBytes = 0;
  const end = performance.now() + options.seconds * 1000;
  const timed = async (kind: keyof typeof latencies, call: () => Promise<unknown>) => {
    const started = performance.now();
    try {
      await call();
      latencies[kind].push(performance.now() - started);
      return true;
    } catch (error) {
      const code = `${kind}: ${errorCode(error)}`;
      errors.set(code, (errors.get(code) ?? 0) + 1);
      return false;
    }
  };
  const started = performance.now();
  try {
    await Promise.all([
      ...Array.from({ length: UPLOADERS }, async (_, worker) => {
        const uploader = client();
        for (let count = 0; performance.now() < end; count += 1) {
          const size = randomInt(MIN_UPLOAD, MAX_UPLOAD + 1);
          const offset = randomInt(0, pool.length - size + 1);
          const body = new Blob([pool.subarray(offset, offset + size)]);
          const ok = await timed('upload', () =>
            uploadDocument(uploader, { name: `load-${worker}-${count}.bin` }, body),
          );
          if (ok) uploadedBytes += size;
        }
      }),
      ...Array.from({ length: CALLERS }, async (_, worker) => {
        const caller = client();
        for (let count = worker; performance.now() < end; count += 1) {
          if (count % 2 === 0)
            await timed('documents.list', () => caller.documents.list.query({ limit: 50 }));
          else await timed('topics.counts', () => caller.topics.counts.query());
        }
      }),
    ]);
  } finally {
    clearInterval(sampler);
  }
  const seconds = (performance.now() - started) / 1000;
  const errorCount = [...errors.values()].reduce((sum, count) => sum + count, 0);
  options.log(
    `  load: ${latencies['documents.list'].length + latencies['topics.counts'].length} calls, ${latencies.upload.length} uploads, ${errorCount} errors in ${seconds.toFixed(1)} s; waiting ${options.afterSeconds} s`,
  );
  await sleep(options.afterSeconds * 1000);
  const after = processes.map((sampled) => sampled.read());

  const label = `load ${options.seconds} s (${UPLOADERS} proxied uploads of 1-8 MiB, ${CALLERS} list/counts loops)`;
  const row = (name: string, value: number, unit: string, limit?: number): Result => ({
    name: `${label}: ${name}`,
    value,
    unit,
    floor: null,
    target: null,
    ...(limit === undefined ? {} : { limit }),
  });
  const results: Result[] = [
    row(
      'calls completed (documents.list + topics.counts)',
      latencies['documents.list'].length + latencies['topics.counts'].length,
      'calls',
    ),
    row('uploads completed', latencies.upload.length, 'uploads'),
    row('upload throughput, all uploaders', uploadedBytes / MiB / seconds, 'MiB/s'),
    row('errors, all codes', errorCount, 'errors', 0),
    ...[...errors.entries()].map(([code, count]) => row(`errors ${code}`, count, 'errors', 0)),
  ];
  for (const [kind, values] of Object.entries(latencies)) {
    results.push(
      row(`${kind} p50`, percentile(values, 50), 'ms'),
      row(`${kind} p99`, percentile(values, 99), 'ms'),
    );
  }
  processes.forEach((sampled, index) => {
    results.push(
      row(`${sampled.name} RSS before`, (before[index] ?? 0) / MiB, 'MiB'),
      row(`${sampled.name} peak RSS`, (peak[index] ?? 0) / MiB, 'MiB'),
      row(`${sampled.name} RSS ${options.afterSeconds} s after`, (after[index] ?? 0) / MiB, 'MiB'),
    );
  });
  return results;
}
