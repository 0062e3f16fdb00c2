import { isDeepStrictEqual } from 'node:util';
import { createMetadataClient, type DocumentPage } from '@docstore/contract';
import pg from 'pg';
import { type FloorPosition, floorListDocuments, floorListTopics, floorTopicCounts } from '../floor-sql.ts';
import { pairedLatencies, percentile } from '../measure.ts';
import type { Result } from '../report.ts';
import type { SeededLibrary } from '../seed.ts';
import { type BenchStack, benchToken, profiled } from '../stack.ts';

/** The page size clients use (the API's default). */
const PAGE = 50;
/** The largest page the API gives: the walk to the middle takes as few steps as it can. */
const WALK_PAGE = 200;
/** What the service may cost over the floor: pages ≤ 2 × floor p50, i.e. floor/docstore ≥ 0.5. */
const PAGE_TARGET = 0.5;
/** Every read, p50, in milliseconds. */
const LIMIT_MS = 5;

interface ReadCase {
  name: string;
  docstore: () => Promise<unknown>;
  floor: () => Promise<unknown>;
  /** Pages are held to the floor; topics.list and topics.counts only to the absolute limit. */
  target: number | null;
}

/** The service's answer without its cursor (opaque: the floor encodes it the same way, but need not). */
const withoutCursor = (page: DocumentPage) => page.items;

/**
 * Metadata reads at `seeded.documents` documents: each read through the typed client against the
 * same answer from hand-written SQL through a `pg` pool in this process, one request in flight,
 * alternating, `requests` times each after `warmup` unmeasured rounds.
 */
export async function metadataReadsScenario(
  stack: BenchStack,
  seeded: SeededLibrary,
  options: { requests: number; warmup: number; log: (line: string) => void },
): Promise<Result[]> {
  const { userId } = seeded;
  const client = createMetadataClient({ url: stack.metadata.url, token: await benchToken(stack, userId) });
  // The service's pool is knex's default (max 10); one request at a time needs one connection here.
  const pool = new pg.Pool({ connectionString: stack.databaseUrl, max: 2 });
  try {
    const topic = seeded.topics[6]?.name ?? 'Topic 07';
    const normalizedTopic = topic.toLowerCase();

    // Walk the cursor to the middle of the listing, the way a client pages through it.
    const walkStarted = performance.now();
    let cursor: string | undefined;
    let after: FloorPosition | undefined;
    let walked = 0;
    let walkPages = 0;
    while (walked < Math.floor(seeded.documents / 2)) {
      const page = await client.documents.list.query({ cursor, limit: WALK_PAGE });
      const last = page.items.at(-1);
      if (!page.nextCursor || !last) break;
      cursor = page.nextCursor;
      after = { createdAt: last.createdAt, id: last.id };
      walked += page.items.length;
      walkPages += 1;
    }
    const walkSeconds = (performance.now() - walkStarted) / 1000;
    options.log(
      `  walked ${walked.toLocaleString('en-US')} documents in ${walkPages} pages (${walkSeconds.toFixed(1)} s)`,
    );
    const deepCursor = cursor;
    const deepAfter = after;

    const cases: ReadCase[] = [
      {
        name: `documents.list: first page of ${PAGE} with topic names`,
        docstore: async () => withoutCursor(await client.documents.list.query({ limit: PAGE })),
        floor: async () => withoutCursor(await floorListDocuments(pool, userId, { limit: PAGE })),
        target: PAGE_TARGET,
      },
      {
        name: `documents.list: page of ${PAGE} filtered by one topic (of ${seeded.topics.length})`,
        docstore: async () => withoutCursor(await client.documents.list.query({ topic, limit: PAGE })),
        floor: async () =>
          withoutCursor(await floorListDocuments(pool, userId, { limit: PAGE, normalizedTopic })),
        target: PAGE_TARGET,
      },
      {
        name: `documents.list: page of ${PAGE} at document ${walked.toLocaleString('en-US')} via the cursor`,
        docstore: async () =>
          withoutCursor(await client.documents.list.query({ cursor: deepCursor, limit: PAGE })),
        floor: async () =>
          withoutCursor(await floorListDocuments(pool, userId, { limit: PAGE, after: deepAfter })),
        target: PAGE_TARGET,
      },
      {
        name: `topics.list (${seeded.topics.length} topics)`,
        docstore: () => client.topics.list.query(),
        floor: () => floorListTopics(pool, userId),
        target: null,
      },
      {
        name: 'topics.counts',
        docstore: () => client.topics.counts.query(),
        floor: () => floorTopicCounts(pool, userId),
        target: null,
      },
    ];

    const results: Result[] = [];
    for (const read of cases) {
      // The floor must be the same answer, or the comparison means nothing.
      const [mine, theirs] = [await read.docstore(), await read.floor()];
      if (!isDeepStrictEqual(mine, theirs)) {
        throw new Error(
          `${read.name}: the floor's answer differs from the service's:\n${JSON.stringify(mine).slice(0, 600)}\n${JSON.stringify(theirs).slice(0, 600)}`,
        );
      }
      await pairedLatencies(options.warmup, read.docstore, read.floor);
      const { a: docstore, b: floor } = await profiled(
        stack,
        read.name,
        () => pairedLatencies(options.requests, read.docstore, read.floor),
        options.log,
      );
      const label = `${read.name} @ ${seeded.documents.toLocaleString('en-US')} docs`;
      const spreadOf = (values: number[]) => ({
        median: percentile(values, 50),
        min: Math.min(...values),
        max: Math.max(...values),
      });
      results.push(
        {
          name: `${label}: p50`,
          value: percentile(docstore, 50),
          spread: spreadOf(docstore),
          unit: 'ms',
          floor: percentile(floor, 50),
          target: read.target,
          limit: LIMIT_MS,
          lowerIsBetter: true,
        },
        {
          name: `${label}: p99`,
          value: percentile(docstore, 99),
          unit: 'ms',
          floor: percentile(floor, 99),
          target: null,
          lowerIsBetter: true,
        },
      );
      options.log(
        `  ${read.name}: p50 ${percentile(docstore, 50).toFixed(2)} ms (floor ${percentile(floor, 50).toFixed(2)} ms)`,
      );
    }
    // What one HTTP hop to the service costs here, with no work behind it: part of every read above.
    const healthz = async () => (await fetch(new URL('/healthz', stack.metadata.url))).text();
    await pairedLatencies(options.warmup, healthz, async () => {});
    const hop = (await pairedLatencies(options.requests, healthz, async () => {})).a;
    results.push({
      name: 'GET /healthz on the metadata service, p50 (reference: one HTTP hop, no work)',
      value: percentile(hop, 50),
      unit: 'ms',
      floor: null,
      target: null,
    });
    results.push({
      name: `documents.list: walking the cursor to the middle, per page of ${WALK_PAGE} (reference)`,
      value: walkPages > 0 ? (walkSeconds * 1000) / walkPages : 0,
      unit: 'ms',
      floor: null,
      target: null,
    });
    return results;
  } finally {
    await pool.end();
  }
}
