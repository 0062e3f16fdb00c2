import { execFile } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { describe, expect, it } from 'vitest';

const repo = fileURLToPath(new URL('../..', import.meta.url));
const run = promisify(execFile);

/** Runs a compiled entry point on this Node, made to report `version` before anything else loads. */
async function runAs(version: string, entry: string, args: string[] = []) {
  const pretend = `Object.defineProperty(process.versions, 'node', { value: '${version}' });`;
  return run(
    process.execPath,
    ['--import', `data:text/javascript,${encodeURIComponent(pretend)}`, entry, ...args],
    {
      cwd: repo,
      env: { PATH: process.env.PATH ?? '' },
    },
  ).then(
    ({ stdout, stderr }) => ({ code: 0, stdout, stderr }),
    (error: { code: number; stdout: string; stderr: string }) => error,
  );
}

describe('an unsupported Node gets one line, not a stack trace', () => {
  it.each([
    ['services/blob/dist/main.js', '22.12.0'],
    ['services/metadata/dist/main.js', '24.10.0'],
    ['packages/cli/bin/docstore.js', '25.1.0'],
  ])('%s on Node %s', async (entry, version) => {
    const { code, stdout, stderr } = await runAs(version, entry);
    expect(code).toBe(1);
    expect(stdout).toBe('');
    expect(stderr).toBe(
      `docstore needs Node.js >=24.11 <25 (24 LTS); this is Node.js ${version}. ` +
        'Install Node.js 24, or run it through pnpm, whose scripts use the pinned Node.\n',
    );
  });

  it('a supported Node runs the compiled CLI', async () => {
    const { code, stdout } = await runAs('24.11.0', 'packages/cli/bin/docstore.js', ['--help']);
    expect(code).toBe(0);
    expect(stdout).toContain('docstore');
  });
});
