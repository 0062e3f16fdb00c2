import type { MetadataHealth } from '@docstore/contract';
import { withTimeout } from '@docstore/server-kit';
import type { MikroORM } from '@mikro-orm/postgresql';
import type { BlobGateway } from '../adapters/blob-gateway.ts';

const DATABASE_TIMEOUT_MS = 2_000;

function databaseAnswers(orm: MikroORM): Promise<boolean> {
  const query = orm.em
    .getConnection()
    .execute('select 1')
    .then(
      () => true,
      () => false,
    );
  return withTimeout(query, DATABASE_TIMEOUT_MS, () => false);
}

/** Never throws: each dependency is true or false. */
export async function checkHealth(orm: MikroORM, blob: BlobGateway): Promise<MetadataHealth> {
  const [database, blobOk] = await Promise.all([databaseAnswers(orm), blob.healthy()]);
  return { ok: database && blobOk, database, blob: blobOk };
}
