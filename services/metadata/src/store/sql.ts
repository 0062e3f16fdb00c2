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
