import { fileURLToPath } from 'node:url';
import { DefaultLogger, type LogContext, type LoggerOptions } from '@mikro-orm/core';
import { Migrator } from '@mikro-orm/migrations';
import { MikroORM, type Options, PostgreSqlDriver } from '@mikro-orm/postgresql';
import { migrateJobQueue } from '../adapters/job-queue.ts';
import { entities } from './entities.ts';
import { Migration20261127000000_initial } from './migrations/Migration20261127000000_initial.ts';
import { Migration20261127235414_status_events } from './migrations/Migration20261127235414_status_events.ts';
import { Migration20261130000000_life_cycle } from './migrations/Migration20261130000000_life_cycle.ts';
import { Migration20261130120000_audit_request_id } from './migrations/Migration20261130120000_audit_request_id.ts';
import { Migration20261130120000_processing } from './migrations/Migration20261130120000_processing.ts';
import { Migration20261130120000_reconcile_index } from './migrations/Migration20261130120000_reconcile_index.ts';

/** How to reach the metadata database; everything comes from the caller (main.ts, tests, the CLI config). */
export interface DatabaseOptions {
  /** `postgres://user:password@host:port/database` */
  clientUrl: string;
  /** Print every query (with parameters) through MikroORM's logger. */
  debug?: boolean;
  /**
   * Called once per SQL statement the ORM sends, failed ones included, and for transaction
   * control statements (begin, commit, rollback, savepoints) too. Tests count statements with it.
   */
  onQuery?: (sql: string) => void;
  /** Deadlines of every connection (see `DatabaseTimeouts`); defaults when omitted. */
  timeouts?: Partial<DatabaseTimeouts>;
}

/**
 * Every wait on PostgreSQL is bounded: a frozen or unreachable server becomes an error (and
 * SERVICE_UNAVAILABLE) within these, never a call that hangs. `statement_timeout` and
 * `idle_in_transaction_session_timeout` are enforced by the server; `query_timeout` by the driver
 * (a server that is frozen enforces nothing), a little later so that a live server's own error wins.
 */
export interface DatabaseTimeouts {
  /** Opening a connection, and waiting for a free one in the pool. */
  connectMs: number;
  /** One statement. */
  statementMs: number;
  /** A transaction left open with nothing running (a stuck request), after which the server ends it. */
  idleInTransactionMs: number;
}

export const DEFAULT_DATABASE_TIMEOUTS: DatabaseTimeouts = {
  connectMs: 5_000,
  statementMs: 15_000,
  idleInTransactionMs: 60_000,
};

/** pg's connection settings for these deadlines (also used by the LISTEN connection). */
export function pgTimeoutOptions(timeouts: DatabaseTimeouts) {
  return {
    connectionTimeoutMillis: timeouts.connectMs,
    statement_timeout: timeouts.statementMs,
    query_timeout: timeouts.statementMs + 1_000,
    idle_in_transaction_session_timeout: timeouts.idleInTransactionMs,
  };
}

/** Migrations in order; listed explicitly (no glob discovery), so tsx, vitest and bundles all find them. */
const migrationsList = [
  { name: 'Migration20261127000000_initial', class: Migration20261127000000_initial },
  { name: 'Migration20261127235414_status_events', class: Migration20261127235414_status_events },
  { name: 'Migration20261130000000_life_cycle', class: Migration20261130000000_life_cycle },
  { name: 'Migration20261130120000_audit_request_id', class: Migration20261130120000_audit_request_id },
  { name: 'Migration20261130120000_reconcile_index', class: Migration20261130120000_reconcile_index },
  { name: 'Migration20261130120000_processing', class: Migration20261130120000_processing },
];

// Where the CLI writes new migrations; the ones that run come from `migrationsList`.
const migrationsPath = fileURLToPath(new URL('./migrations', import.meta.url));

/** The MikroORM configuration of the metadata database. */
export function ormConfig(options: DatabaseOptions): Options {
  const { onQuery } = options;
  const debug = options.debug ?? false;
  const timeouts = { ...DEFAULT_DATABASE_TIMEOUTS, ...options.timeouts };
  return {
    driver: PostgreSqlDriver,
    clientUrl: options.clientUrl,
    // Merged by MikroORM into knex's options: `connection` goes to every pg client it opens.
    driverOptions: {
      connection: pgTimeoutOptions(timeouts),
      acquireConnectionTimeout: timeouts.connectMs,
    },
    entities,
    extensions: [Migrator],
    migrations: {
      migrationsList,
      path: migrationsPath,
      pathTs: migrationsPath,
      emit: 'ts',
      // With snapshots on, every up() that applies something rewrites a JSON snapshot inside
      // src/db/migrations (tests and production included). New migrations are diffed against a
      // migrated database instead.
      snapshot: false,
      transactional: true,
      allOrNothing: true,
    },
    // The job queue's schema is graphile-worker's own (its migrations, not ours). MikroORM 6 matches
    // these against bare table names, so they are spelled out rather than by schema.
    schemaGenerator: { skipTables: [/^_private_(jobs|job_queues|known_crontabs|tasks)$/, 'migrations'] },
    // Every request works in its own fork (RequestContext or em.fork()); the global EM is a bug.
    allowGlobalContext: false,
    debug: debug ? ['query', 'query-params', 'info'] : false,
    ...(onQuery === undefined
      ? {}
      : { loggerFactory: (loggerOptions: LoggerOptions) => new StatementHookLogger(loggerOptions, onQuery) }),
  };
}

/**
 * Opens the metadata database and applies pending migrations, the job queue's schema included. The caller closes it with `orm.close()`.
 */
export async function openDatabase(options: DatabaseOptions): Promise<MikroORM> {
  const orm = await MikroORM.init(ormConfig(options));
  try {
    await orm.migrator.up();
    await migrateJobQueue(options.clientUrl);
  } catch (err) {
    await orm.close(true);
    throw err;
  }
  return orm;
}

/**
 * MikroORM's connection hands every statement it sends to `logger.logQuery` exactly once (after it
 * ran, or with level 'error' when it failed), whatever the debug setting; the default logger then
 * decides whether to print. Hooking there, before that decision, sees each statement even with
 * debug off. (The `onQuery` config option would miss begin/commit, which bypass `execute()`.)
 */
class StatementHookLogger extends DefaultLogger {
  constructor(
    options: LoggerOptions,
    private readonly onStatement: (sql: string) => void,
  ) {
    super(options);
  }

  override logQuery(context: { query: string } & LogContext): void {
    this.onStatement(context.query);
    super.logQuery(context);
  }
}
