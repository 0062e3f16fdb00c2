/**
 * `pnpm docstore-admin`: operator commands, run with the services' own credentials (DATABASE_URL,
 * BLOB_URL, BLOB_SERVICE_TOKEN, or the dev stack's), never a user token.
 */
import { parseArgs } from 'node:util';
import { MikroORM } from '@mikro-orm/postgresql';
import { ormConfig } from '../db/orm-config.ts';
import { createReconcileRun } from '../reconcile-wiring.ts';
import { AdminError } from './admin-error.ts';
import { adminErrorOf, checkBlob, checkDatabase } from './checks.ts';
import { operatorCredentials } from './credentials.ts';
import { reportText } from './report-text.ts';

const USAGE = `usage: docstore-admin reconcile [--dry-run] [--json] [--grace-seconds N]

  reconcile   diff the bucket against the documents table both ways: remove objects no row owns
              (older than the grace period), mark ready rows whose object is gone as missing
  --dry-run   report what would be done, change nothing
  --json      print the report as JSON
  --grace-seconds N
              leave objects younger than N seconds alone (default UPLOAD_TTL_SECONDS, else 3600)

credentials: DATABASE_URL, BLOB_URL, BLOB_SERVICE_TOKEN; each one unset is taken from the dev
stack of \`pnpm start\` in $DOCSTORE_DATA_DIR (default ./.docstore).
exit codes: 0 done, 1 failed, 2 bad arguments, 3 bad or missing credentials,
            4 database not migrated, 5 a dependency is unreachable`;

function parse(argv: string[]) {
  try {
    const { values, positionals } = parseArgs({
      args: argv,
      allowPositionals: true,
      options: {
        'dry-run': { type: 'boolean', default: false },
        json: { type: 'boolean', default: false },
        'grace-seconds': { type: 'string' },
        help: { type: 'boolean', short: 'h', default: false },
      },
    });
    return { values, positionals };
  } catch (cause) {
    throw new AdminError('USAGE', `${(cause as Error).message}\n${USAGE}`);
  }
}

function graceSeconds(flag: string | undefined, env: NodeJS.ProcessEnv): number {
  const text = flag ?? (env.UPLOAD_TTL_SECONDS || '3600');
  if (!/^\d+$/.test(text))
    throw new AdminError('USAGE', `--grace-seconds must be a whole number, not ${text}`);
  return Number(text);
}

async function reconcileCommand(options: { dryRun: boolean; json: boolean; grace: number }): Promise<void> {
  const credentials = await operatorCredentials(process.env);
  await checkDatabase(credentials.databaseUrl);
  await checkBlob(credentials.blobUrl);
  const orm = await MikroORM.init(ormConfig({ clientUrl: credentials.databaseUrl }));
  try {
    const pending = await orm.migrator.getPendingMigrations();
    if (pending.length > 0)
      throw new AdminError(
        'SCHEMA',
        `the database lacks ${pending.length} migration(s); start the metadata service once to apply them`,
      );
    const run = createReconcileRun({
      orm,
      databaseUrl: credentials.databaseUrl,
      blobUrl: credentials.blobUrl,
      blobServiceToken: credentials.blobServiceToken,
      graceSeconds: options.grace,
    });
    const report = await run(options.dryRun);
    process.stdout.write(options.json ? `${JSON.stringify(report)}\n` : reportText(report, options.grace));
  } finally {
    await orm.close(true);
  }
}

async function main(argv: string[]): Promise<number> {
  try {
    const { values, positionals } = parse(argv);
    if (values.help || positionals.length === 0) {
      process.stdout.write(`${USAGE}\n`);
      return values.help ? 0 : ADMIN_USAGE_EXIT;
    }
    const [command, ...rest] = positionals;
    if (command !== 'reconcile' || rest.length > 0)
      throw new AdminError('USAGE', `unknown command: ${positionals.join(' ')}\n${USAGE}`);
    await reconcileCommand({
      dryRun: values['dry-run'],
      json: values.json,
      grace: graceSeconds(values['grace-seconds'], process.env),
    });
    return 0;
  } catch (error) {
    const failure = adminErrorOf(error);
    process.stderr.write(`docstore-admin: ${failure.message}\n`);
    return failure.exitCode;
  }
}

const ADMIN_USAGE_EXIT = new AdminError('USAGE', '').exitCode;

process.exitCode = await main(process.argv.slice(2));
