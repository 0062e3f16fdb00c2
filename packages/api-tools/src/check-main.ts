import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { CONTRACT_VERSION } from '@docstore/contract';
import { apiCheck } from './api-check.ts';
import { CONTRACT_PACKAGE_PATH, REPO_ROOT } from './paths.ts';
import { createSnapshot } from './snapshot.ts';

/**
 * `pnpm api:check [base]`: the contract in the code against the snapshot at `base` (a git ref; default
 * the newest `contract-v*` tag, else HEAD^1). Exit 1 on a breaking change that is not released as a new
 * major version with a CHANGELOG.md section naming it; exit 2 when the check cannot run.
 */
async function main(args: string[]): Promise<number> {
  const packageJson = JSON.parse(await readFile(join(REPO_ROOT, CONTRACT_PACKAGE_PATH), 'utf8')) as {
    version: string;
  };
  if (packageJson.version !== CONTRACT_VERSION) {
    console.error(
      `${CONTRACT_PACKAGE_PATH} says ${packageJson.version}, CONTRACT_VERSION says ${CONTRACT_VERSION}`,
    );
    return 1;
  }
  const base = args.find((arg) => !arg.startsWith('-'));
  return apiCheck({ root: REPO_ROOT, base, current: createSnapshot() });
}

try {
  process.exitCode = await main(process.argv.slice(2));
} catch (error) {
  console.error(error instanceof Error ? error.message : error);
  process.exitCode = 2;
}
