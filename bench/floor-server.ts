/**
 * The floor of the call-overhead scenario, run as a process of its own like the service it is
 * compared with: a bare `node:http` server answering `GET /documents/{id}` with the document and its
 * topic names as JSON, from one SELECT through a `pg` pool. No framework, no validation, no auth.
 *
 * Environment: DATABASE_URL, BENCH_USER_ID, POOL_MAX (default 10, knex's default, as the service's).
 * Prints `{"message":"listening","port":N}` once it listens on 127.0.0.1 (port 0).
 */
import { once } from 'node:events';
import { createServer } from 'node:http';
import pg from 'pg';
import { floorGetDocument } from './floor-sql.ts';

const databaseUrl = process.env.DATABASE_URL;
const userId = process.env.BENCH_USER_ID;
if (!databaseUrl || !userId) {
  process.stderr.write('floor-server: DATABASE_URL and BENCH_USER_ID are required\n');
  process.exit(1);
}
const pool = new pg.Pool({ connectionString: databaseUrl, max: Number(process.env.POOL_MAX ?? 10) });

const send = (res: import('node:http').ServerResponse, status: number, body: unknown) => {
  const text = JSON.stringify(body);
  res.writeHead(status, { 'content-type': 'application/json', 'content-length': Buffer.byteLength(text) });
  res.end(text);
};

const server = createServer((req, res) => {
  const match = /^\/documents\/([0-9a-f-]{36})$/.exec(req.url ?? '');
  if (req.method !== 'GET' || !match?.[1]) {
    send(res, 404, { error: 'not found' });
    return;
  }
  floorGetDocument(pool, userId, match[1]).then(
    (document) => send(res, document ? 200 : 404, document ?? { error: 'not found' }),
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
