/**
 * The floor of every call scenario, run as a process of its own like the service it is compared
 * with: a bare `node:http` server answering each call with the same JSON the service gives, from the
 * same hand-written SQL (bench/floor-sql.ts) through a `pg` pool. No framework, no validation, no
 * auth. Clients call it over keep-alive HTTP.
 *
 * Routes (GET):
 * - `/documents?limit=N[&topic=normalized][&afterAt=iso&afterId=uuid]`: a page (documents.list)
 * - `/documents/{id}`: one document (documents.get)
 * - `/topics`: topics.list; `/topics/counts`: topics.counts
 * - `/search?query=Q&limit=N`: documents.search's first page (snippets included)
 *
 * Environment: DATABASE_URL, BENCH_USER_ID, POOL_MAX (default 10, knex's default, as the service's).
 * Prints `{"message":"listening","port":N}` once it listens on 127.0.0.1 (port 0).
 */
import { once } from 'node:events';
import { createServer, type ServerResponse } from 'node:http';
import pg from 'pg';
import {
  floorGetDocument,
  floorListDocuments,
  floorListTopics,
  floorSearchDocuments,
  floorTopicCounts,
} from './floor-sql.ts';

const databaseUrl = process.env.DATABASE_URL;
const userId = process.env.BENCH_USER_ID;
if (!databaseUrl || !userId) {
  process.stderr.write('floor-server: DATABASE_URL and BENCH_USER_ID are required\n');
  process.exit(1);
}
const pool = new pg.Pool({ connectionString: databaseUrl, max: Number(process.env.POOL_MAX ?? 10) });

const send = (res: ServerResponse, status: number, body: unknown) => {
  const text = JSON.stringify(body);
  res.writeHead(status, { 'content-type': 'application/json', 'content-length': Buffer.byteLength(text) });
  res.end(text);
};

/** The answer of one route, or undefined when no route matches. */
function route(path: string, query: URLSearchParams): Promise<unknown> | undefined {
  const user = userId ?? '';
  if (path === '/documents') {
    const afterAt = query.get('afterAt');
    const afterId = query.get('afterId');
    const topic = query.get('topic');
    return floorListDocuments(pool, user, {
      limit: Number(query.get('limit') ?? 50),
      ...(topic ? { normalizedTopic: topic } : {}),
      ...(afterAt && afterId ? { after: { createdAt: afterAt, id: afterId } } : {}),
    });
  }
  const document = /^\/documents\/([0-9a-f-]{36})$/.exec(path)?.[1];
  if (document) return floorGetDocument(pool, user, document);
  if (path === '/topics') return floorListTopics(pool, user);
  if (path === '/topics/counts') return floorTopicCounts(pool, user);
  if (path === '/search')
    return floorSearchDocuments(pool, user, {
      query: query.get('query') ?? '',
      limit: Number(query.get('limit') ?? 20),
    });
  return undefined;
}

const server = createServer((req, res) => {
  const url = new URL(req.url ?? '/', 'http://floor');
  const answer = req.method === 'GET' ? route(url.pathname, url.searchParams) : undefined;
  if (!answer) {
    send(res, 404, { error: 'not found' });
    return;
  }
  answer.then(
    (body) => send(res, body === null ? 404 : 200, body ?? { error: 'not found' }),
    (error: unknown) => send(res, 500, { error: String(error) }),
  );
});
server.keepAliveTimeout = 60_000;
server.listen(0, '127.0.0.1');
await once(server, 'listening');
const address = server.address();
process.stdout.write(
  `${JSON.stringify({ message: 'listening', port: typeof address === 'object' && address ? address.port : 0 })}\n`,
);

const stop = () => {
  server.closeAllConnections();
  server.close();
  void pool.end().then(() => process.exit(0));
};
process.once('SIGTERM', stop);
process.once('SIGINT', stop);
