import type { EntityManager } from '@mikro-orm/postgresql';

/**
 * Runs one statement on `em`, inside its transaction when it has one (a raw `execute` does not join
 * it by itself), and returns the rows (use RETURNING to learn what an UPDATE or DELETE changed).
 */
export function query<Row extends object>(
  em: EntityManager,
  sql: string,
  params: unknown[] = [],
): Promise<Row[]> {
  return em.getConnection().execute<Row[]>(sql, params, 'all', em.getTransactionContext());
}

/** The part of a pg client (one of the pool's connections) a read uses. */
interface PooledConnection {
  query(text: string, values: unknown[]): Promise<{ rows: unknown[] }>;
}

/** The part of knex's client (the ORM's pool) a read uses. */
interface PoolClient {
  acquireConnection(): Promise<PooledConnection>;
  releaseConnection(connection: PooledConnection): Promise<unknown>;
}

/** `?` placeholders as PostgreSQL's `$1, $2…`, by statement text (a read's texts are few and fixed). */
const positional = new Map<string, string>();
const POSITIONAL_LIMIT = 1_000;

function toPositional(sql: string): string {
  let text = positional.get(sql);
  if (text === undefined) {
    let index = 0;
    text = sql.replace(/\?/g, () => `$${++index}`);
    if (positional.size < POSITIONAL_LIMIT) positional.set(sql, text);
  }
  return text;
}

/**
 * A hot read: one fixed statement with `?` placeholders (no literal `?` in it), outside any
 * transaction, run on one of the ORM's pooled connections directly. Same pool, deadlines, errors and
 * statement log (the ORM's logger sees it, as it sees every statement) as `query`, without the ORM's
 * and knex's per-statement layers (query building, formatting with its values, result
 * transformation), which cost more than a small indexed read. Inside a transaction it is `query`.
 */
export async function read<Row extends object>(
  em: EntityManager,
  sql: string,
  params: unknown[] = [],
): Promise<Row[]> {
  if (em.isInTransaction()) return query<Row>(em, sql, params);
  const pool = em.getConnection().getKnex().client as PoolClient;
  const logger = em.config.getLogger();
  const started = Date.now();
  const pooled = await pool.acquireConnection();
  try {
    const rows = (await pooled.query(toPositional(sql), params)).rows as Row[];
    logger.logQuery({ query: sql, params, took: Date.now() - started, results: rows.length, level: 'info' });
    return rows;
  } catch (error) {
    logger.logQuery({ query: sql, params, took: Date.now() - started, level: 'error' });
    // As on the ORM's path: the statement leads the message (for the log; responses never carry
    // it), and the driver's error becomes the ORM's exception class for its SQLSTATE.
    if (error instanceof Error) error.message = `${sql} - ${error.message}`;
    throw em.getDriver().convertException(error as Error);
  } finally {
    await pool.releaseConnection(pooled);
  }
}
