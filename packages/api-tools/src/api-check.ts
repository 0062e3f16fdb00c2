import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { defaultBase, fileAt } from './git-base.ts';
import { CHANGELOG_PATH, SNAPSHOT_PATH } from './paths.ts';
import { judge } from './release-rules.ts';
import type { ApiSnapshot } from './snapshot.ts';
import { type Change, diffSnapshots } from './snapshot-diff.ts';

export interface ApiCheckOptions {
  /** The git work tree (the repository root). */
  root: string;
  /** A git ref; undefined: `defaultBase`. */
  base?: string;
  /** The contract as the code declares it now. */
  current: ApiSnapshot;
  out?: (line: string) => void;
  err?: (line: string) => void;
}

function changeLines(changes: Change[]): string[] {
  const lines: string[] = [];
  for (const side of ['request', 'response'] as const) {
    const ofSide = changes.filter((change) => change.side === side);
    if (ofSide.length === 0) continue;
    lines.push(`${side}s:`);
    for (const change of ofSide) {
      lines.push(`  ${change.breaking ? 'BREAKING  ' : 'compatible'}  ${change.where}: ${change.message}`);
    }
  }
  return lines;
}

/**
 * `pnpm api:check`'s work: the current contract against the snapshot at a base ref. Resolves with the
 * exit code: 0 fine, 1 a breaking change not released as a new major named in CHANGELOG.md.
 */
export async function apiCheck(options: ApiCheckOptions): Promise<number> {
  const out = options.out ?? console.log;
  const err = options.err ?? console.error;
  const base = options.base ?? (await defaultBase(options.root));
  const baseFile = await fileAt(options.root, base, SNAPSHOT_PATH);
  if (baseFile.kind === 'absent') {
    out(`${base} (${baseFile.commit.slice(0, 12)}) has no ${SNAPSHOT_PATH}: nothing to compare with`);
    return 0;
  }
  const old = JSON.parse(baseFile.text) as ApiSnapshot;
  const version = options.current.contract.version;
  const changes = diffSnapshots(old, options.current);
  out(
    `contract ${old.contract.version} at ${base} (${baseFile.commit.slice(0, 12)}) → ${version} in the code: ` +
      `${changes.length} change(s), ${changes.filter((c) => c.breaking).length} breaking`,
  );
  for (const line of changeLines(changes)) out(line);
  const changelog = await readFile(join(options.root, CHANGELOG_PATH), 'utf8').catch(() => '');
  const verdict = judge({ changes, baseVersion: old.contract.version, version, changelog });
  for (const reason of verdict.reasons) (verdict.ok ? out : err)(reason);
  return verdict.ok ? 0 : 1;
}
