import type { MetadataHealth } from '@docstore/contract';
import { withTimeout } from '@docstore/server-kit';
import type { MikroORM } from '@mikro-orm/postgresql';
import type { BlobGateway } from '../adapters/blob-gateway.ts';

/** Budget of each dependency's probe: a probe must never hang on a frozen dependency. */
export const HEALTH_PROBE_MS = 2_000;

function databaseAnswers(orm: MikroORM): Promise<boolean> {
  const query = orm.em
    .getConnection()
    .execute('select 1')
    .then(
      () => true,
      () => false,
    );
  return withTimeout(query, HEALTH_PROBE_MS, () => false);
}

/** Never throws: each dependency is true or false. */
export async function checkHealth(orm: MikroORM, blob: BlobGateway): Promise<MetadataHealth> {
  const [database, blobOk] = await Promise.all([
    databaseAnswers(orm),
    withTimeout(blob.healthy(), HEALTH_PROBE_MS, () => false),
  ]);
  return { ok: database && blobOk, database, blob: blobOk };
}
