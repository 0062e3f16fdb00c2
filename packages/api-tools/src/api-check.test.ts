import { execFile } from 'node:child_process';
import { mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { apiCheck } from './api-check.ts';
import { CHANGELOG_PATH, SNAPSHOT_PATH } from './paths.ts';
import type { ApiSnapshot, ProcedureSnapshot } from './snapshot.ts';

// `pnpm api:check` on a real git repository: the base snapshot comes from `git show`, the default
// base is the newest contract-v* tag, else HEAD^1.

const run = promisify(execFile);

function snapshot(
  version: string,
  kind: ProcedureSnapshot['kind'],
  extra: Record<string, ProcedureSnapshot> = {},
) {
  const get: ProcedureSnapshot = { kind, auth: true, input: null, output: null };
  return {
    contract: { name: '@docstore/contract', version },
    errorCodes: {},
    routers: {
      metadata: { endpoint: '/trpc', auth: 'token', procedures: { 'documents.get': get, ...extra } },
    },
  } satisfies ApiSnapshot;
}

describe('apiCheck against git history', () => {
  let root = '';
  const git = (...args: string[]) =>
    run('git', ['-c', 'user.name=t', '-c', 'user.email=t@t', ...args], { cwd: root });
  const commit = async (files: Record<string, string>, message: string) => {
    for (const [path, text] of Object.entries(files)) {
      await mkdir(join(root, path, '..'), { recursive: true });
      await writeFile(join(root, path), text);
    }
    await git('add', '-A');
    await git('commit', '-qm', message);
  };
  const check = async (current: ApiSnapshot, base?: string) => {
    const lines: string[] = [];
    const code = await apiCheck({
      root,
      base,
      current,
      out: (l) => lines.push(l),
      err: (l) => lines.push(l),
    });
    return { code, text: lines.join('\n') };
  };

  beforeAll(async () => {
    root = await mkdtemp(join(tmpdir(), 'docstore-api-check-'));
    await git('init', '-q');
    await commit({ 'README.md': 'before the snapshot\n' }, 'no snapshot yet');
    await commit({ [SNAPSHOT_PATH]: JSON.stringify(snapshot('1.0.0', 'query')) }, 'contract 1.0.0');
    await git('tag', 'contract-v1.0.0');
    const added = { 'documents.count': { kind: 'query', auth: true, input: null, output: null } } as const;
    await commit({ [SNAPSHOT_PATH]: JSON.stringify(snapshot('1.1.0', 'query', added)) }, 'contract 1.1.0');
  });
  afterAll(() => rm(root, { recursive: true, force: true }));

  it('compares with the newest contract-v* tag by default', async () => {
    const { code, text } = await check(snapshot('1.1.0', 'query'));
    expect(code).toBe(0);
    expect(text).toContain('contract 1.0.0 at contract-v1.0.0');
  });

  it('fails a breaking change without a new major, naming it', async () => {
    const { code, text } = await check(snapshot('1.1.0', 'mutation'), 'HEAD');
    expect(code).toBe(1);
    expect(text).toContain('BREAKING    metadata documents.get: kind query → mutation');
    expect(text).toContain('metadata documents.count: procedure removed');
    expect(text).toContain('need a new major version');
  });

  it('passes it as a new major once CHANGELOG.md names every broken procedure', async () => {
    const next = snapshot('2.0.0', 'mutation');
    await writeFile(join(root, CHANGELOG_PATH), '## 2.0.0\n\n- `documents.get` is a mutation.\n');
    const partly = await check(next, 'HEAD');
    expect(partly.code).toBe(1);
    expect(partly.text).toContain('does not name: documents.count');
    await writeFile(
      join(root, CHANGELOG_PATH),
      '## 2.0.0\n\n- `documents.get` is a mutation; documents.count is gone.\n',
    );
    expect((await check(next, 'HEAD')).code).toBe(0);
  });

  it('passes when the base predates the snapshot, and refuses a ref git cannot resolve', async () => {
    const { code, text } = await check(snapshot('1.0.0', 'mutation'), 'HEAD~2');
    expect(code).toBe(0);
    expect(text).toContain('nothing to compare with');
    await expect(check(snapshot('1.0.0', 'query'), 'no-such-ref')).rejects.toThrow(
      /cannot resolve no-such-ref/,
    );
  });

  it('without a release tag compares with HEAD^1', async () => {
    await git('tag', '-d', 'contract-v1.0.0');
    const { code, text } = await check(snapshot('1.1.0', 'query'));
    // HEAD^1 is the 1.0.0 commit (HEAD added documents.count, which `current` does not have either).
    expect(text).toContain('contract 1.0.0 at HEAD^1');
    expect(code).toBe(0);
  });
});
