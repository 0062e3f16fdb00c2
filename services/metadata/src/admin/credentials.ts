import { readFile } from 'node:fs/promises';
import { join, resolve } from 'node:path';
import { AdminError } from './admin-error.ts';

/** What the operator command connects with: the services' own credentials, not a user token. */
export interface OperatorCredentials {
  databaseUrl: string;
  blobUrl: string;
  blobServiceToken: string;
  /** Where each value came from, for the operator to read (never the values themselves). */
  sources: { database: string; blob: string; token: string };
}

/** The embedded PostgreSQL's user and password, as `pnpm start` runs it (packages/devstack). */
const DEV_PG_CREDENTIALS = 'postgres:postgres';
const DEV_BLOB_PORT = '4001';

async function readTrimmed(path: string): Promise<string | undefined> {
  return readFile(path, 'utf8').then(
    (text) => text.trim() || undefined,
    () => undefined,
  );
}

/**
 * The running embedded PostgreSQL's port: line 4 of its `postmaster.pid` (PostgreSQL writes the
 * port there), so the dev stack needs no extra file.
 */
async function devDatabaseUrl(dataDir: string): Promise<string | undefined> {
  const pid = await readTrimmed(join(dataDir, 'postgres', 'postmaster.pid'));
  const port = pid?.split('\n')[3]?.trim();
  return port && /^\d+$/.test(port)
    ? `postgres://${DEV_PG_CREDENTIALS}@127.0.0.1:${port}/postgres`
    : undefined;
}

/**
 * DATABASE_URL, BLOB_URL and BLOB_SERVICE_TOKEN from the environment; each one missing is taken from
 * the dev stack of `pnpm start` in `$DOCSTORE_DATA_DIR` (default ./.docstore), as the CLI does.
 */
export async function operatorCredentials(env: NodeJS.ProcessEnv): Promise<OperatorCredentials> {
  const value = (name: string) => (env[name] === '' ? undefined : env[name]);
  const dataDir = resolve(value('DOCSTORE_DATA_DIR') ?? '.docstore');
  const databaseUrl = value('DATABASE_URL') ?? (await devDatabaseUrl(dataDir));
  const blobServiceToken =
    value('BLOB_SERVICE_TOKEN') ?? (await readTrimmed(join(dataDir, 'blob-service-token')));
  const blobUrl = value('BLOB_URL') ?? `http://127.0.0.1:${value('BLOB_PORT') ?? DEV_BLOB_PORT}`;
  const missing = [
    databaseUrl === undefined ? `DATABASE_URL (no running dev PostgreSQL in ${dataDir})` : undefined,
    blobServiceToken === undefined
      ? `BLOB_SERVICE_TOKEN (no ${join(dataDir, 'blob-service-token')})`
      : undefined,
  ].filter((item) => item !== undefined);
  if (databaseUrl === undefined || blobServiceToken === undefined) {
    throw new AdminError('CONFIG', `set ${missing.join(' and ')}`);
  }
  return {
    databaseUrl,
    blobUrl,
    blobServiceToken,
    sources: {
      database: value('DATABASE_URL') ? 'DATABASE_URL' : `dev stack in ${dataDir}`,
      blob: value('BLOB_URL') ? 'BLOB_URL' : blobUrl,
      token: value('BLOB_SERVICE_TOKEN') ? 'BLOB_SERVICE_TOKEN' : `dev stack in ${dataDir}`,
    },
  };
}
