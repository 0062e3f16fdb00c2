import { execFile } from 'node:child_process';
import { promisify } from 'node:util';

const run = promisify(execFile);
const GIT_TIMEOUT_MS = 10_000;

async function git(cwd: string, args: string[]): Promise<string | null> {
  try {
    const { stdout } = await run('git', args, { cwd, timeout: GIT_TIMEOUT_MS, maxBuffer: 64 * 1024 * 1024 });
    return stdout;
  } catch {
    return null;
  }
}

/**
 * The default base to compare with: the newest release tag `contract-v*` reachable from HEAD (what
 * deployed clients were built against), else `HEAD^1` (on main after a merge: main before it; on a
 * branch: the previous commit, so pass `main` there to see the whole branch).
 */
export async function defaultBase(cwd: string): Promise<string> {
  const tag = await git(cwd, ['describe', '--tags', '--match', 'contract-v*', '--abbrev=0', 'HEAD']);
  return tag?.trim() || 'HEAD^1';
}

export type BaseFile = { kind: 'found'; text: string; commit: string } | { kind: 'absent'; commit: string };

/** A file as it is at `ref`; throws when the ref itself does not resolve (e.g. a shallow clone). */
export async function fileAt(cwd: string, ref: string, path: string): Promise<BaseFile> {
  const commit = (await git(cwd, ['rev-parse', '--verify', '--quiet', `${ref}^{commit}`]))?.trim();
  if (!commit) throw new Error(`git cannot resolve ${ref} (a shallow clone? fetch more history)`);
  const text = await git(cwd, ['show', `${commit}:${path}`]);
  return text === null ? { kind: 'absent', commit } : { kind: 'found', text, commit };
}
