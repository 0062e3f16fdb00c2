import { spawn } from 'node:child_process';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';

const repo = fileURLToPath(new URL('../..', import.meta.url));
const mainModule = join(repo, 'packages/cli/src/main.ts');
const binShim = join(repo, 'packages/cli/bin/docstore.js');

export interface CliRun {
  code: number | null;
  stdout: string;
  stderr: string;
}

/**
 * Runs the `docstore` CLI as a real process against `url` with `token` (DOCSTORE_URL,
 * DOCSTORE_TOKEN): its sources through tsx from the repo (where tsx resolves), or the compiled CLI
 * through the package's bin shim from any folder (`via: 'bin'`; the e2e global setup builds it).
 */
export function runCli(
  args: string[],
  options: { url: string; token: string; via?: 'main' | 'bin'; cwd?: string },
): Promise<CliRun> {
  const argv =
    options.via === 'bin'
      ? [binShim, ...args]
      : ['--conditions=@docstore/source', '--import', 'tsx', mainModule, ...args];
  const child = spawn(process.execPath, argv, {
    cwd: options.cwd ?? repo,
    env: { ...process.env, DOCSTORE_URL: options.url, DOCSTORE_TOKEN: options.token },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let stdout = '';
  let stderr = '';
  child.stdout.setEncoding('utf8').on('data', (text: string) => {
    stdout += text;
  });
  child.stderr.setEncoding('utf8').on('data', (text: string) => {
    stderr += text;
  });
  return new Promise((resolve, reject) => {
    child.once('error', reject);
    child.once('close', (code) => resolve({ code, stdout, stderr }));
  });
}
