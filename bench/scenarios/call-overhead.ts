import { isDeepStrictEqual } from 'node:util';
import { createMetadataClient, type DocumentView } from '@docstore/contract';
import { startProcess } from '@docstore/devstack';
import pg from 'pg';
import { closedLoopRate, interleaved, stats } from '../measure.ts';
import type { Result } from '../report.ts';
import type { SeededLibrary } from '../seed.ts';
import { type BenchStack, benchFile, benchToken, profiled } from '../stack.ts';

const IN_FLIGHT = 32;
const TARGET = 0.7;
/** Documents asked for, drawn at random from the seeded ones (the same list for every variant). */
const SAMPLE_IDS = 5_000;

/** Counts HTTP requests made through the global fetch (which the typed client's fetch calls) while `work` runs. */
async function countingFetches<T>(work: () => Promise<T>): Promise<{ result: T; fetches: number }> {
  const original = globalThis.fetch;
  let fetches = 0;
  globalThis.fetch = (...args: Parameters<typeof fetch>) => {
    fetches += 1;
    return original(...args);
  };
  try {
    return { result: await work(), fetches };
  } finally {
    globalThis.fetch = original;
  }
}

/**
 * `documents.get` requests per second at 32 in flight: through the typed client, against a bare
 * node:http handler in a child process running the same SELECT. Rounds alternate between variants.
 */
export async function callOverheadScenario(
  stack: BenchStack,
  seeded: SeededLibrary,
  options: { rounds: number; secondsPerRound: number; log: (line: string) => void },
): Promise<Result[]> {
  const { userId } = seeded;
  const admin = new pg.Client({ connectionString: stack.databaseUrl });
  await admin.connect();
  const ids = await admin
    .query<{ id: string }>(`select id from documents where user_id = $1 order by md5(id::text) limit $2`, [
      userId,
      SAMPLE_IDS,
    ])
    .then((result) => result.rows.map((row) => row.id))
    .finally(() => admin.end());
  let next = 0;
  const nextId = () => {
    next = (next + 1) % ids.length;
    return ids[next] ?? '';
  };

  const token = await benchToken(stack, userId);
  const url = stack.metadata.url;
  // As clients use it: one client, so the 32 calls a tick issues go as one batched HTTP request.
  const shared = createMetadataClient({ url, token });
  // One client per worker: every HTTP request carries one call (what batching saves, for reference).
  const separate = Array.from({ length: IN_FLIGHT }, () => createMetadataClient({ url, token }));
  // The bare node:http + pg floor (bench/floor-server.ts), pool max 10 like the service's (knex's default).
  const floor = await startProcess(benchFile('floor-server.ts'), 'documents.get floor', {
    DATABASE_URL: stack.databaseUrl,
    BENCH_USER_ID: userId,
    POOL_MAX: '10',
  });
  try {
    const check = ids[0] ?? '';
    const fromFloor = (await (await fetch(`${floor.url}/documents/${check}`)).json()) as DocumentView;
    const fromService = await shared.documents.get.query({ id: check });
    if (!isDeepStrictEqual(fromFloor, fromService)) {
      throw new Error(`floor and service disagree on ${check}`);
    }
    let batchedCalls = 0;
    let batchedFetches = 0;
    const durationMs = options.secondsPerRound * 1000;
    const variants = {
      batched: async () => {
        const { result, fetches } = await countingFetches(() =>
          closedLoopRate(IN_FLIGHT, durationMs, () => {
            batchedCalls += 1;
            return shared.documents.get.query({ id: nextId() });
          }),
        );
        batchedFetches += fetches;
        return result;
      },
      unbatched: () =>
        closedLoopRate(IN_FLIGHT, durationMs, (worker) =>
          (separate[worker] ?? shared).documents.get.query({ id: nextId() }),
        ),
      floor: () =>
        closedLoopRate(IN_FLIGHT, durationMs, async (_worker) => {
          const response = await fetch(`${floor.url}/documents/${nextId()}`);
          if (!response.ok) throw new Error(`floor answered ${response.status}`);
          await response.json();
        }),
    };
    // Warm both processes (JIT, pools, connections) before anything counts.
    await interleaved(1, {
      batched: () => closedLoopRate(IN_FLIGHT, 1000, () => shared.documents.get.query({ id: nextId() })),
      unbatched: () =>
        closedLoopRate(IN_FLIGHT, 1000, (worker) =>
          (separate[worker] ?? shared).documents.get.query({ id: nextId() }),
        ),
      floor: () =>
        closedLoopRate(IN_FLIGHT, 1000, async () =>
          (await fetch(`${floor.url}/documents/${nextId()}`)).json(),
        ),
    });
    batchedCalls = 0;
    batchedFetches = 0;
    const rates = await profiled(
      stack,
      'documents.get rounds (batched, unbatched, floor)',
      () => interleaved(options.rounds, variants),
      options.log,
    );
    const perRequest = batchedFetches > 0 ? batchedCalls / batchedFetches : 0;
    options.log(`  batched: ~${perRequest.toFixed(1)} calls per HTTP request`);
    const floorRate = stats(rates.floor).median;
    const rate = (name: string, values: number[], target: number | null): Result => ({
      name,
      value: stats(values).median,
      spread: stats(values),
      unit: 'req/s',
      floor: floorRate,
      target,
    });
    return [
      rate(
        `documents.get, ${IN_FLIGHT} in flight: bare node:http + pg, child process (floor)`,
        rates.floor,
        null,
      ),
      rate(
        `documents.get, ${IN_FLIGHT} in flight: typed client, one client, httpBatchLink batching (~${perRequest.toFixed(0)} calls/request)`,
        rates.batched,
        TARGET,
      ),
      rate(
        `documents.get, ${IN_FLIGHT} in flight: typed client, ${IN_FLIGHT} clients, 1 call/request (reference)`,
        rates.unbatched,
        null,
      ),
    ];
  } finally {
    await floor.stop();
  }
}
