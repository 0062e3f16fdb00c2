import { randomUUID } from 'node:crypto';
import pg from 'pg';

/** What `seedLibrary` wrote: one user's documents and topics. */
export interface SeededLibrary {
  userId: string;
  documents: number;
  topics: Array<{ id: string; name: string; documentCount: number }>;
  /** Rows in document_topics. */
  links: number;
  /** A word in the seeded texts (about 1% of documents contain it): what the search case asks for. */
  searchTerm: string;
  seconds: number;
}

/** Rows per INSERT … SELECT statement: bounded transactions, and a progress line per batch at 1,000,000. */
const BATCH = 100_000;

/**
 * Seeds one user's library straight into PostgreSQL, the schema the metadata service migrated:
 * `topics` topics, then `documents` ready documents (distinct `created_at`, one a second) with 1-3
 * topics each (2 on average), then each one's extracted text (seedText), then the true per-topic
 * counts, then VACUUM ANALYZE.
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
    const textStarted = performance.now();
    const searchTerm = await seedText(client, userId);
    options.log?.(
      `seeded document_text (generated words, Zipf-like) in ${((performance.now() - textStarted) / 1000).toFixed(1)} s`,
    );
    await client.query(
      `update topics t set document_count = c.n
       from (select topic_id, count(*)::int as n from document_topics group by topic_id) c
       where c.topic_id = t.id and t.user_id = $1`,
      [userId],
    );
    // A steady state: statistics for the planner, and the visibility map set (as autovacuum would).
    await client.query('vacuum (analyze) documents, document_topics, topics, document_text');
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
      searchTerm,
      seconds: (performance.now() - started) / 1000,
    };
  } finally {
    await client.end();
  }
}

/** Words in the seeded texts: ranks 0 .. VOCABULARY - 1, most frequent first. */
const VOCABULARY = 4_000;
/** 24 syllables: a rank's word spells it in base 24 (2-3 syllables), computed the same in SQL and here. */
const SYLLABLES = [
  'ka',
  'lo',
  'mi',
  'ne',
  'ru',
  'sa',
  'ti',
  'vo',
  'ber',
  'dan',
  'fel',
  'gor',
  'hul',
  'jin',
  'kes',
  'lam',
  'mor',
  'nix',
  'pra',
  'quo',
  'ren',
  'sul',
  'tav',
  'wen',
];

/** The made-up word of rank `k` (the SQL in seedText spells it the same way). */
export function benchWord(k: number): string {
  const n = SYLLABLES.length;
  const high = Math.floor(k / (n * n));
  return `${SYLLABLES[k % n]}${SYLLABLES[Math.floor(k / n) % n]}${high > 0 ? SYLLABLES[high % n] : ''}`;
}

/**
 * A text for every seeded document of `userId`, generated inside PostgreSQL in one INSERT … SELECT
 * (the generated tsvector and the GIN index are built by the insert, as for extracted text):
 * 150-349 words each, the word of rank k drawn with probability ~ 1/(k+1) (k = floor(V^u) - 1,
 * u uniform: a Zipf-like law, s = 1), after `setseed` so runs are alike. Words are spelled from the
 * rank arithmetically: indexing a 4,000-element text[] is a linear walk per lookup, 10x slower.
 * Returns the word of rank 1,000, which about 250 / (1,000 · ln 4,000) ≈ 3% of the documents
 * contain: enough hits for ranking to cost something, few enough to be a real query.
 */
async function seedText(client: pg.Client, userId: string): Promise<string> {
  // Building the GIN index once over all rows is several times faster than growing it row by row:
  // drop the migrated index and recreate it from its own definition (pg_get_indexdef) afterwards.
  const index = await client.query<{ definition: string }>(
    `select pg_get_indexdef(indexrelid) as definition from pg_index
      where indexrelid = 'document_text_search_gin'::regclass`,
  );
  await client.query('drop index document_text_search_gin');
  await client.query('select setseed(0.42)');
  await client.query(
    `insert into document_text (document_id, user_id, content, text_length, pages, language, document_name)
     select d.id, d.user_id, c.content, length(c.content), 1, 'en', d.name
       from documents d
       cross join lateral (
         select string_agg(s[1 + w.k % 24] || s[1 + (w.k / 24) % 24]
                  || case when w.k >= 576 then s[1 + w.k / 576 % 24] else '' end, ' ') as content
           from (select $2::text[] as s) as syllables,
                (select floor(exp(random() * ln($3::float8)))::int - 1 as k
                   from generate_series(1, 150 + abs(hashtext(d.id::text)) % 200)) as w) c
      where d.user_id = $1`,
    [userId, SYLLABLES, VOCABULARY],
  );
  await client.query("set maintenance_work_mem = '256MB'");
  await client.query(index.rows[0]?.definition ?? '');
  return benchWord(1_000);
}
