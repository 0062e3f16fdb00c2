/**
 * The embedded PostgreSQL server as a process of its own, so that `pnpm start` can supervise it like
 * a service: DOCSTORE_PG_DIR (required), DOCSTORE_PG_PORT (default 0). Logs one JSON `listening`
 * line with its port and URL; exits 1 when the postgres server dies or stops answering (the
 * supervisor then starts a new one on the same port and data), 0 after SIGINT/SIGTERM.
 */
import { startEmbeddedPostgres } from './embedded-postgres.ts';
import { watchPostgres } from './postgres-watch.ts';
import { stopStalePostmaster } from './stale-postmaster.ts';

const dataDir = process.env.DOCSTORE_PG_DIR;
if (!dataDir) {
  process.stderr.write('postgres: set DOCSTORE_PG_DIR\n');
  process.exit(1);
}
// embedded-postgres's exit hook would exit as soon as PostgreSQL is down; stop() below does it in order.
process.removeAllListeners('SIGINT');
process.removeAllListeners('SIGTERM');

let stopping = false;
// A postgres left running by a killed predecessor holds the data folder: stop it first.
await stopStalePostmaster(dataDir);
const pg = await startEmbeddedPostgres({
  dataDir,
  port: Number(process.env.DOCSTORE_PG_PORT ?? 0),
  onExit: (code, signal) => {
    if (stopping) return;
    process.stderr.write(
      `postgres: the server ${signal ? `was killed by ${signal}` : `exited with ${code}`}\n`,
    );
    process.exit(1);
  },
});
const watch = watchPostgres(pg.url, () => {
  process.stderr.write('postgres: the server stopped answering; ending it\n');
  void stopStalePostmaster(dataDir).finally(() => process.exit(1));
});
process.stdout.write(
  `${JSON.stringify({ service: 'postgres', message: 'listening', port: pg.port, url: pg.url })}\n`,
);
const stop = () => {
  // Ctrl-C in a terminal sends SIGINT to this process and `pnpm start` SIGTERM: stop once.
  if (stopping) return;
  stopping = true;
  watch.stop();
  void pg.stop().then(() => process.exit(0));
};
process.once('SIGINT', stop);
process.once('SIGTERM', stop);
