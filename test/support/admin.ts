import { spawn } from 'node:child_process';
import { once } from 'node:events';
import { fileURLToPath } from 'node:url';

const ROOT = fileURLToPath(new URL('../..', import.meta.url));
const ENTRY = 'services/metadata/src/admin/main.ts';

export interface AdminRun {
  code: number | null;
  stdout: string;
  stderr: string;
  ms: number;
}

/** Runs `docstore-admin` as a real process, as `pnpm docstore-admin` does, with only `env` as credentials. */
export async function runAdmin(
  args: string[],
  env: Record<string, string>,
  timeoutMs = 60_000,
): Promise<AdminRun> {
  const started = Date.now();
  const child = spawn(process.execPath, ['--conditions=@docstore/source', '--import', 'tsx', ENTRY, ...args], {
    cwd: ROOT,
    // No inherited DATABASE_URL or BLOB_* from the runner: the test says exactly what the command gets.
    env: { PATH: process.env.PATH ?? '', DOCSTORE_DATA_DIR: '/nonexistent-docstore-data', ...env },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let stdout = '';
  let stderr = '';
  child.stdout.setEncoding('utf8').on('data', (text: string) => (stdout += text));
  child.stderr.setEncoding('utf8').on('data', (text: string) => (stderr += text));
  const timer = setTimeout(() => child.kill('SIGKILL'), timeoutMs);
  const [code] = (await once(child, 'exit')) as [number | null];
  clearTimeout(timer);
  return { code, stdout, stderr, ms: Date.now() - started };
}

/** The JSON report of `reconcile --json`. */
export function reportOf(run: AdminRun): Record<string, unknown> {
  if (run.code !== 0) throw new Error(`docstore-admin exited ${run.code}: ${run.stderr}`);
  return JSON.parse(run.stdout) as Record<string, unknown>;
}
