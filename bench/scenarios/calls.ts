import { isDeepStrictEqual } from 'node:util';
import { createMetadataClient, type DocumentPage } from '@docstore/contract';
import { startBuiltProcess } from '@docstore/devstack';
import pg from 'pg';
import { closedLoopRate, percentile, sequentialLatencies, stats } from '../measure.ts';
import type { Result } from '../report.ts';
import type { SeededLibrary } from '../seed.ts';
import { type BenchStack, benchFile, benchToken, profiled } from '../stack.ts';

/** The page size clients use (the API's default). */
const PAGE = 50;
/** The largest page the API gives: the walk to the middle takes as few steps as it can. */
const WALK_PAGE = 200;
const IN_FLIGHT = 32;
/** Issue 12: p50 at 1 in flight <= 1.5x the floor's; throughput at 32 in flight >= 0.8x the floor's. */
const LATENCY_TARGET = 1.5;
const THROUGHPUT_TARGET = 0.8;
/** Documents asked for by documents.get, drawn at random from the seeded ones (the same for both). */
const SAMPLE_IDS = 5_000;
/** Hits per documents.search page in the search case (the API's default is 20). */
const SEARCH_PAGE = 20;

export interface CallOptions {
  rounds: number;
  /** Calls per round at 1 in flight, per variant. */
  requests: number;
  /** Length of each 32-in-flight window, per variant and round. */
  windowMs: number;
  log: (line: string) => void;
}

/** One call scenario: the same answer from the service (typed client) and from the floor server. */
interface CallCase {
  name: string;
  docstore: () => Promise<unknown>;
  floor: () => Promise<unknown>;
}

/** One variant's figures over the rounds: per-round p50 and p99 at 1 in flight, per-round rate at 32. */
interface Figures {
  p50: number[];
  p99: number[];
  rate: number[];
}

const emptyFigures = (): Figures => ({ p50: [], p99: [], rate: [] });

/** The service's page without its cursor (opaque: the floor encodes it the same way, but need not). */
const items = (page: unknown) => (page as DocumentPage).items;

/**
 * Every call scenario of issue 12 through the contract's typed client (`createMetadataClient`, as a
 * user would: whatever batching the client does is part of the figure) against the bare node:http +
 * pg floor server (bench/floor-server.ts, its own process, same SQL, keep-alive HTTP).
 *
 * Rounds: after one unmeasured warm-up round, each round runs every case, and within a case the
 * service and the floor alternate (which goes first swaps every round): `requests` calls one at a
 * time (p50, p99 of the round), then a `windowMs` closed loop of 32 in flight (calls per second).
 * A figure is the median of the per-round values; the spread is their min..max.
 */
export async function callsScenario(
  stack: BenchStack,
  seeded: SeededLibrary,
  options: CallOptions,
): Promise<Result[]> {
  const { userId } = seeded;
  const client = createMetadataClient({ url: stack.metadata.url, token: await benchToken(stack, userId) });
  const admin = new pg.Client({ connectionString: stack.databaseUrl });
  await admin.connect();
  const ids = await admin
    .query<{ id: string }>('select id from documents where user_id = $1 order by md5(id::text) limit $2', [
      userId,
      SAMPLE_IDS,
    ])
    .then((result) => result.rows.map((row) => row.id));
  // How many documents the search case's term matches: what its figure is made of.
  const searchHits = await admin
    .query<{ n: number }>(
      `select count(*)::int as n from document_text
        where user_id = $1 and search @@ websearch_to_tsquery('simple', $2)`,
      [userId, seeded.searchTerm],
    )
    .then((result) => result.rows[0]?.n ?? 0)
    .finally(() => admin.end());
  let next = 0;
  const nextId = () => {
    next = (next + 1) % ids.length;
    return ids[next] ?? '';
  };
  // The floor's pool max is 10 like the service's (knex's default).
  const floorServer = await startBuiltProcess(benchFile('floor-server.ts'), 'calls floor', {
    DATABASE_URL: stack.databaseUrl,
    BENCH_USER_ID: userId,
    POOL_MAX: '10',
  });
  const floor = async (path: string, query: Record<string, string> = {}) => {
    const url = new URL(path, floorServer.url);
    for (const [key, value] of Object.entries(query)) url.searchParams.set(key, value);
    const response = await fetch(url);
    if (!response.ok) throw new Error(`the floor answered ${response.status} to ${path}`);
    return response.json();
  };
  try {
    const topic = seeded.topics[6]?.name ?? 'Topic 07';
    // Walk the cursor to the middle of the listing, the way a client pages through it.
    const walkStarted = performance.now();
    let cursor: string | undefined;
    let after: { afterAt: string; afterId: string } | undefined;
    let walked = 0;
    let walkPages = 0;
    while (walked < Math.floor(seeded.documents / 2)) {
      const page = await client.documents.list.query({ cursor, limit: WALK_PAGE });
      const last = page.items.at(-1);
      if (!page.nextCursor || !last) break;
      cursor = page.nextCursor;
      after = { afterAt: last.createdAt, afterId: last.id };
      walked += page.items.length;
      walkPages += 1;
    }
    const walkSeconds = (performance.now() - walkStarted) / 1000;
    options.log(
      `  walked ${walked.toLocaleString('en-US')} documents in ${walkPages} pages (${walkSeconds.toFixed(1)} s)`,
    );
    const deepCursor = cursor;
    const limit = String(PAGE);

    const cases: CallCase[] = [
      {
        name: `documents.list: first page of ${PAGE}`,
        docstore: async () => items(await client.documents.list.query({ limit: PAGE })),
        floor: async () => items(await floor('/documents', { limit })),
      },
      {
        name: `documents.list: page of ${PAGE} of one topic (of ${seeded.topics.length})`,
        docstore: async () => items(await client.documents.list.query({ topic, limit: PAGE })),
        floor: async () => items(await floor('/documents', { limit, topic: topic.toLowerCase() })),
      },
      {
        name: `documents.list: page of ${PAGE} at document ${walked.toLocaleString('en-US')} (cursor)`,
        docstore: async () => items(await client.documents.list.query({ cursor: deepCursor, limit: PAGE })),
        floor: async () => items(await floor('/documents', { limit, ...after })),
      },
      {
        name: 'documents.get',
        docstore: () => client.documents.get.query({ id: nextId() }),
        floor: () => floor(`/documents/${nextId()}`),
      },
      {
        name: `topics.list (${seeded.topics.length} topics)`,
        docstore: () => client.topics.list.query(),
        floor: () => floor('/topics'),
      },
      {
        name: 'topics.counts',
        docstore: () => client.topics.counts.query(),
        floor: () => floor('/topics/counts'),
      },
      {
        // The whole page as the user gets it (cursor and snippets included): the floor encodes both alike.
        name: `documents.search: first page of ${SEARCH_PAGE} for "${seeded.searchTerm}" (${searchHits.toLocaleString('en-US')} hits)`,
        docstore: () => client.documents.search.query({ query: seeded.searchTerm, limit: SEARCH_PAGE }),
        floor: () => floor('/search', { query: seeded.searchTerm, limit: String(SEARCH_PAGE) }),
      },
    ];

    // The floor must give the same answer, or the comparison means nothing.
    const sameId = ids[0] ?? '';
    const checks = cases.map((call) =>
      call.name === 'documents.get'
        ? {
            name: call.name,
            docstore: () => client.documents.get.query({ id: sameId }),
            floor: () => floor(`/documents/${sameId}`),
          }
        : call,
    );
    for (const call of checks) {
      const [mine, theirs] = [await call.docstore(), await call.floor()];
      if (!isDeepStrictEqual(mine, theirs)) {
        throw new Error(
          `${call.name}: the floor's answer differs from the service's:\n${JSON.stringify(mine).slice(0, 600)}\n${JSON.stringify(theirs).slice(0, 600)}`,
        );
      }
    }

    const figures = cases.map(() => ({ docstore: emptyFigures(), floor: emptyFigures() }));
    const runRound = async (round: number, requests: number, windowMs: number, into?: typeof figures) => {
      for (const [index, call] of cases.entries()) {
        const order = round % 2 === 0 ? (['docstore', 'floor'] as const) : (['floor', 'docstore'] as const);
        for (const variant of order) {
          const latencies = await sequentialLatencies(requests, call[variant]);
          into?.[index]?.[variant].p50.push(percentile(latencies, 50));
          into?.[index]?.[variant].p99.push(percentile(latencies, 99));
        }
        for (const variant of order) {
          const rate = await closedLoopRate(IN_FLIGHT, windowMs, call[variant]);
          into?.[index]?.[variant].rate.push(rate);
        }
      }
    };
    // Warm-up: JIT, pools, connections and caches of both processes, nothing counted.
    await runRound(1, Math.max(20, Math.ceil(options.requests / 2)), Math.max(300, options.windowMs / 2));
    await profiled(
      stack,
      'call rounds',
      async () => {
        for (let round = 0; round < options.rounds; round += 1) {
          await runRound(round, options.requests, options.windowMs, figures);
          options.log(`  calls: round ${round + 1} of ${options.rounds} done`);
        }
      },
      options.log,
    );

    const at = `@ ${seeded.documents.toLocaleString('en-US')} docs`;
    const results: Result[] = [];
    for (const [index, call] of cases.entries()) {
      const mine = figures[index]?.docstore ?? emptyFigures();
      const theirs = figures[index]?.floor ?? emptyFigures();
      const row = (
        what: string,
        pick: (figures: Figures) => number[],
        unit: string,
        target: number | null,
        lowerIsBetter: boolean,
      ): Result => ({
        name: `${call.name} ${at}: ${what}`,
        value: stats(pick(mine)).median,
        spread: stats(pick(mine)),
        unit,
        floor: stats(pick(theirs)).median,
        floorSpread: stats(pick(theirs)),
        target,
        lowerIsBetter,
      });
      results.push(
        row('p50, 1 in flight', (f) => f.p50, 'ms', LATENCY_TARGET, true),
        row('p99, 1 in flight', (f) => f.p99, 'ms', null, true),
        row(`throughput, ${IN_FLIGHT} in flight`, (f) => f.rate, 'req/s', THROUGHPUT_TARGET, false),
      );
      options.log(
        `  ${call.name}: p50 ${stats(mine.p50).median.toFixed(2)} ms (floor ${stats(theirs.p50).median.toFixed(2)}), ${stats(mine.rate).median.toFixed(0)} req/s (floor ${stats(theirs.rate).median.toFixed(0)})`,
      );
    }
    // What one HTTP hop to the service costs here, with no work behind it: part of every call above.
    const hop = await sequentialLatencies(options.requests, async () =>
      (await fetch(new URL('/healthz', stack.metadata.url))).text(),
    );
    results.push(
      {
        name: 'GET /healthz on the metadata service, p50 (reference: one HTTP hop, no work)',
        value: percentile(hop, 50),
        unit: 'ms',
        floor: null,
        target: null,
      },
      {
        name: `documents.list: walking the cursor to the middle, per page of ${WALK_PAGE} (reference)`,
        value: walkPages > 0 ? (walkSeconds * 1000) / walkPages : 0,
        unit: 'ms',
        floor: null,
        target: null,
      },
    );
    return results;
  } finally {
    await floorServer.stop();
  }
}
