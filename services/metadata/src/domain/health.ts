import type { MetadataHealth } from '@docstore/contract';
import type { MikroORM } from '@mikro-orm/postgresql';
import type { BlobGateway } from '../adapters/blob-gateway.ts';

const DATABASE_TIMEOUT_MS = 2_000;

async function databaseAnswers(orm: MikroORM): Promise<boolean> {
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<boolean>((resolve) => {
    timer = setTimeout(() => resolve(false), DATABASE_TIMEOUT_MS);
  });
  const query = orm.em
    .getConnection()
    .execute('select 1')
    .then(
      () => true,
      () => false,
    );
  try {
    return await Promise.race([query, timeout]);
  } finally {
    clearTimeout(timer);
  }
}

/** Never throws: each dependency is true or false. */
export async function checkHealth(orm: MikroORM, blob: BlobGateway): Promise<MetadataHealth> {
  const [database, blobOk] = await Promise.all([databaseAnswers(orm), blob.healthy()]);
  return { ok: database && blobOk, database, blob: blobOk };
}
