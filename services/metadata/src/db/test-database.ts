import { join } from 'node:path';
import { createDatabase, scratchDir, startEmbeddedPostgres } from '@docstore/devstack';
import type { MikroORM } from '@mikro-orm/postgresql';
import { openDatabase } from './orm-config.ts';

export interface TestDatabase {
  orm: MikroORM;
  databaseUrl: string;
  /** Runs `work` and returns how many SQL statements the ORM sent meanwhile. */
  countStatements(work: () => Promise<unknown>): Promise<number>;
  close(): Promise<void>;
}

/**
 * A migrated database on an embedded PostgreSQL of the test file's own, for tests beside the code;
 * every statement the ORM sends is counted through `onQuery`.
 */
export async function openTestDatabase(name: string): Promise<TestDatabase> {
  const scratch = await scratchDir('metadata-db');
  const postgres = await startEmbeddedPostgres({ dataDir: join(scratch.path, 'data') });
  let statements = 0;
  try {
    const databaseUrl = await createDatabase(postgres.url, `${name}_${process.pid}`);
    const orm = await openDatabase({ clientUrl: databaseUrl, onQuery: () => (statements += 1) });
    return {
      orm,
      databaseUrl,
      async countStatements(work) {
        const before = statements;
        await work();
        return statements - before;
      },
      async close() {
        await orm.close(true);
        await postgres.stop();
        await scratch.remove();
      },
    };
  } catch (error) {
    await postgres.stop();
    await scratch.remove();
    throw error;
  }
}
