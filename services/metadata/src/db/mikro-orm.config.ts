/**
 * Configuration for the MikroORM CLI only (the service opens the database through `openDatabase`).
 * New migrations are the diff between the entities and a database at the latest migration (no
 * snapshot files), so point DATABASE_URL at a scratch database and run, in services/metadata:
 *
 *   export DATABASE_URL=postgres://… MIKRO_ORM_CLI_CONFIG=src/db/mikro-orm.config.ts MIKRO_ORM_CLI_ALWAYS_ALLOW_TS=1
 *   node --import tsx node_modules/@mikro-orm/cli/esm migration:up
 *   node --import tsx node_modules/@mikro-orm/cli/esm migration:create --name NAME
 *
 * then add the new class to `migrationsList` in orm-config.ts. (The CLI's "ts-node not installed"
 * warning is harmless: tsx loads the TypeScript.)
 */
import { ormConfig } from './orm-config.ts';

const clientUrl = process.env.DATABASE_URL;
if (clientUrl === undefined || clientUrl === '') {
  throw new Error('mikro-orm.config.ts: set DATABASE_URL to the PostgreSQL database to diff against');
}

export default ormConfig({ clientUrl });
