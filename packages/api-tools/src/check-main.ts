import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { CONTRACT_VERSION } from '@docstore/contract';
import { defaultBase, fileAt } from './git-base.ts';
import { CHANGELOG_PATH, CONTRACT_PACKAGE_PATH, REPO_ROOT, SNAPSHOT_PATH } from './paths.ts';
import { judge } from './release-rules.ts';
import { type ApiSnapshot, createSnapshot } from './snapshot.ts';
import { type Change, diffSnapshots } from './snapshot-diff.ts';

function printChanges(changes: Change[]): void {
  for (const side of ['request', 'response'] as const) {
    const ofSide = changes.filter((change) => change.side === side);
    if (ofSide.length === 0) continue;
    console.log(`${side}s:`);
    for (const change of ofSide) {
      console.log(`  ${change.breaking ? 'BREAKING  ' : 'compatible'}  ${change.where}: ${change.message}`);
    }
  }
}

/**
 * `pnpm api:check [base]`: the contract in the code against the snapshot at `base` (a git ref; see
 * `defaultBase`). Exit 1 on a breaking change that is not released as a new major version with a
 * CHANGELOG.md section naming it; exit 2 when the check cannot run.
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
  const base = args.find((arg) => !arg.startsWith('-')) ?? (await defaultBase(REPO_ROOT));
  const baseFile = await fileAt(REPO_ROOT, base, SNAPSHOT_PATH);
  if (baseFile.kind === 'absent') {
    console.log(`${base} (${baseFile.commit.slice(0, 12)}) has no ${SNAPSHOT_PATH}: nothing to compare with`);
    return 0;
  }
  const old = JSON.parse(baseFile.text) as ApiSnapshot;
  const changes = diffSnapshots(old, createSnapshot());
  console.log(
    `contract ${old.contract.version} at ${base} (${baseFile.commit.slice(0, 12)}) → ${CONTRACT_VERSION} in the code: ` +
      `${changes.length} change(s), ${changes.filter((c) => c.breaking).length} breaking`,
  );
  printChanges(changes);
  const changelog = await readFile(join(REPO_ROOT, CHANGELOG_PATH), 'utf8').catch(() => '');
  const verdict = judge({ changes, baseVersion: old.contract.version, version: CONTRACT_VERSION, changelog });
  for (const reason of verdict.reasons) (verdict.ok ? console.log : console.error)(reason);
  return verdict.ok ? 0 : 1;
}

try {
  process.exitCode = await main(process.argv.slice(2));
} catch (error) {
  console.error(error instanceof Error ? error.message : error);
  process.exitCode = 2;
}
