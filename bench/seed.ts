import { randomUUID } from 'node:crypto';
import pg from 'pg';

/** What `seedLibrary` wrote: one user's documents and topics. */
export interface SeededLibrary {
  userId: string;
  documents: number;
  topics: Array<{ id: string; name: string; documentCount: number }>;
  /** Rows in document_topics. */
  links: number;
  seconds: number;
}

/** Rows per INSERT … SELECT statement: bounded transactions, and a progress line per batch at 1,000,000. */
const BATCH = 100_000;

/**
 * Seeds one user's library straight into PostgreSQL, the schema the metadata service migrated:
 * `topics` topics, then `documents` ready documents (distinct `created_at`, one a second) with 1-3
 * topics each (2 on average), then the true per-topic counts, then VACUUM ANALYZE.
 *
 * Rows are generated inside PostgreSQL (INSERT … SELECT over generate_series, documents and their
 * topic links in one statement per batch): no per-row round trip, no ORM; ~5 s per 100,000 here.
 */
export async function seedLibrary(
  databaseUrl: string,
  options: { documents: number; topics: number; log?: (line: string) => void },
): Promise<SeededLibrary> {
  const started = performance.now();
  const userId = randomUUID();
  const client = new pg.Client({ connectionString: databaseUrl });
  await client.connect();
  try {
    const names = Array.from(
      { length: options.topics },
      (_, index) => `Topic ${String(index + 1).padStart(2, '0')}`,
    );
    const topicIds = names.map(() => randomUUID());
    const base = new Date(Date.UTC(2024, 0, 1));
    await client.query(
      `insert into topics (id, user_id, name, normalized_name, description, color, document_count, created_at, updated_at)
       select id, $1, name, lower(name), 'bench topic', '#336699', 0, $4, $4
       from unnest($2::uuid[], $3::text[]) as t(id, name)`,
      [userId, topicIds, names, base],
    );
    for (let from = 1; from <= options.documents; from += BATCH) {
      const to = Math.min(options.documents, from + BATCH - 1);
      // `g` numbers the document: created_at = base + g seconds; its topics are 1 + g % 3 of the
      // topics (g·7 + j·17) mod n, j = 0.. (distinct for n = 50; every topic about equally often).
      await client.query(
        `with source as materialized (
           select g, gen_random_uuid() as id, $3::timestamptz + make_interval(secs => g) as at
           from generate_series($1::int, $2::int) as g
         ), inserted as (
           insert into documents (id, user_id, name, mime_type, declared_mime_type, size, sha256, object_key,
                                  status, failure_reason, created_at, updated_at)
           select id, $4::uuid, 'document-' || g || '.pdf', 'application/pdf', null, 1000 + (g::bigint * 7919) % 5000000,
                  md5(g::text) || md5(id::text), $4::text || '/' || id || '/' || gen_random_uuid() || '.pdf',
                  'ready', null, at, at
           from source
           returning id
         )
         insert into document_topics (document_id, topic_id)
         select distinct s.id, ($5::uuid[])[1 + ((s.g * 7 + j * 17) % cardinality($5::uuid[]))]
         from source s cross join lateral generate_series(0, s.g % 3) as j
         where s.id in (select id from inserted)`,
        [from, to, base, userId, topicIds],
      );
      options.log?.(
        `seeded ${to.toLocaleString('en-US')} of ${options.documents.toLocaleString('en-US')} documents`,
      );
    }
    await client.query(
      `update topics t set document_count = c.n
       from (select topic_id, count(*)::int as n from document_topics group by topic_id) c
       where c.topic_id = t.id and t.user_id = $1`,
      [userId],
    );
    // A steady state: statistics for the planner, and the visibility map set (as autovacuum would).
    await client.query('vacuum (analyze) documents, document_topics, topics');
    const topics = await client.query<{ id: string; name: string; document_count: number }>(
      'select id, name, document_count from topics where user_id = $1 order by normalized_name',
      [userId],
    );
    const links = await client.query<{ n: string }>('select count(*) as n from document_topics');
    return {
      userId,
      documents: options.documents,
      topics: topics.rows.map((row) => ({ id: row.id, name: row.name, documentCount: row.document_count })),
      links: Number(links.rows[0]?.n ?? 0),
      seconds: (performance.now() - started) / 1000,
    };
  } finally {
    await client.end();
  }
}
