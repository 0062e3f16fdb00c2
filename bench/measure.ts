import { readFileSync } from 'node:fs';

export interface Stats {
  median: number;
  min: number;
  max: number;
}

export function stats(values: number[]): Stats {
  const sorted = [...values].sort((a, b) => a - b);
  const middle = Math.floor(sorted.length / 2);
  const median =
    sorted.length % 2 === 1 ? (sorted[middle] ?? 0) : ((sorted[middle - 1] ?? 0) + (sorted[middle] ?? 0)) / 2;
  return { median, min: sorted[0] ?? 0, max: sorted.at(-1) ?? 0 };
}

export function percentile(values: number[], p: number): number {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.min(sorted.length - 1, Math.floor((p / 100) * sorted.length))] ?? 0;
}

/** Resident set size of a process, from /proc (Linux), in bytes. */
export function rssOf(pid: number): number {
  const status = readFileSync(`/proc/${pid}/status`, 'utf8');
  const kib = /VmRSS:\s+(\d+) kB/.exec(status)?.[1];
  return Number(kib ?? 0) * 1024;
}

/**
 * Samples the RSS of processes every 10 ms while `work` runs; resolves with each one's peak growth
 * over its RSS just before.
 */
export async function peakRssGrowth<T>(
  pids: number[],
  work: () => Promise<T>,
): Promise<{ result: T; growth: number[] }> {
  const baseline = pids.map(rssOf);
  const peak = [...baseline];
  const timer = setInterval(() => {
    pids.forEach((pid, index) => {
      peak[index] = Math.max(peak[index] ?? 0, rssOf(pid));
    });
  }, 10);
  try {
    const result = await work();
    return { result, growth: peak.map((value, index) => value - (baseline[index] ?? 0)) };
  } finally {
    clearInterval(timer);
  }
}

/** Runs `rounds` rounds of every variant, interleaved (A B C, A B C, ...), so drift hits all alike. */
export async function interleaved<Name extends string>(
  rounds: number,
  variants: Record<Name, () => Promise<number>>,
): Promise<Record<Name, number[]>> {
  const names = Object.keys(variants) as Name[];
  const results = Object.fromEntries(names.map((name) => [name, [] as number[]])) as Record<Name, number[]>;
  for (let round = 0; round < rounds; round += 1) {
    for (const name of names) results[name].push(await variants[name]());
  }
  return results;
}

export const MiB = 1024 * 1024;

/** Milliseconds `work` took. */
export async function elapsedMs(work: () => Promise<unknown>): Promise<number> {
  const started = performance.now();
  await work();
  return performance.now() - started;
}

/**
 * Latencies of two ways to get the same answer, one request in flight at a time, A and B alternating
 * (and swapping which goes first every other round) so that drift and caches hit both alike.
 */
export async function pairedLatencies(
  requests: number,
  a: () => Promise<unknown>,
  b: () => Promise<unknown>,
): Promise<{ a: number[]; b: number[] }> {
  const result = { a: [] as number[], b: [] as number[] };
  for (let index = 0; index < requests; index += 1) {
    if (index % 2 === 0) {
      result.a.push(await elapsedMs(a));
      result.b.push(await elapsedMs(b));
    } else {
      result.b.push(await elapsedMs(b));
      result.a.push(await elapsedMs(a));
    }
  }
  return result;
}

/**
 * A closed loop: `concurrency` workers, each calling `call` again as soon as its previous call ends,
 * for `durationMs`. Resolves with completed calls per second.
 */
export async function closedLoopRate(
  concurrency: number,
  durationMs: number,
  call: (worker: number) => Promise<unknown>,
): Promise<number> {
  let completed = 0;
  const started = performance.now();
  const end = started + durationMs;
  await Promise.all(
    Array.from({ length: concurrency }, async (_, worker) => {
      while (performance.now() < end) {
        await call(worker);
        completed += 1;
      }
    }),
  );
  return completed / ((performance.now() - started) / 1000);
}

/** Sleeps `ms` milliseconds. */
export const sleep = (ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms));

/** Latencies in ms of `requests` calls of `call`, one in flight at a time. */
export async function sequentialLatencies(requests: number, call: () => Promise<unknown>): Promise<number[]> {
  const latencies: number[] = [];
  for (let index = 0; index < requests; index += 1) latencies.push(await elapsedMs(call));
  return latencies;
}
