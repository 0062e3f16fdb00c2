import { type ChildProcess, spawn } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { readFile } from 'node:fs/promises';
import { connect } from 'node:net';
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { fileURLToPath } from 'node:url';
import { scratchDir } from '@docstore/devstack';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';

const repo = fileURLToPath(new URL('../..', import.meta.url));

/**
 * `pnpm start` as a supervisor, with real processes: a service killed with SIGKILL comes back on its
 * port, a killed PostgreSQL server too, and the supervisor killed with SIGKILL leaves no process and
 * no port behind.
 */
describe('pnpm start supervises its children', () => {
  let dir: Awaited<ReturnType<typeof scratchDir>>;
  let start: ChildProcess;
  let output = '';
  const ports: Record<'s3' | 'postgres' | 'blob' | 'metadata', number> = {
    s3: 0,
    postgres: 0,
    blob: 0,
    metadata: 0,
  };

  beforeAll(async () => {
    dir = await scratchDir('supervision');
    const env: NodeJS.ProcessEnv = { ...process.env, DOCSTORE_DATA_DIR: dir.path };
    for (const name of ['DATABASE_URL', 'S3_ENDPOINT', 'AUTH_JWT_SECRET', 'BLOB_SERVICE_TOKEN'])
      delete env[name];
    Object.assign(env, { BLOB_PORT: '0', METADATA_PORT: '0' });
    start = spawn(
      process.execPath,
      ['--conditions=@docstore/source', '--import', 'tsx', 'packages/devstack/src/start.ts'],
      { cwd: repo, env, stdio: ['ignore', 'pipe', 'pipe'] },
    );
    start.stdout?.setEncoding('utf8').on('data', (text: string) => (output += text));
    start.stderr?.setEncoding('utf8').on('data', (text: string) => (output += text));
    await waitFor(() => output.includes('docstore: running') || start.exitCode !== null, 90_000).catch(
      (error: unknown) => {
        throw new Error(`pnpm start did not come up:\n${output}`, { cause: error });
      },
    );
    if (start.exitCode !== null) throw new Error(`pnpm start exited with ${start.exitCode}:\n${output}`);
    ports.s3 = portAfter('embedded S3 (s3rver) at');
    ports.postgres = portAfter('embedded PostgreSQL at');
    ports.blob = portAfter('blob service at');
    ports.metadata = portAfter('metadata service at');
  });

  afterAll(async () => {
    if (start.exitCode === null && start.signalCode === null) start.kill('SIGKILL');
    // The children follow within a second or so (parent-watch.ts); give them time before removing their data.
    await waitFor(async () => !(await anyOpen(Object.values(ports))), 20_000).catch(() => {});
    await dir.remove();
  });

  function portAfter(label: string): number {
    const at = output.indexOf(label);
    const match = at < 0 ? null : /^ \S*?:(\d+)/.exec(output.slice(at + label.length));
    if (!match?.[1]) throw new Error(`no "${label}" line in:\n${output}`);
    return Number(match[1]);
  }

  it('restarts a blob service killed with SIGKILL, on the same port', async () => {
    const pid = childPid('services/blob/src/main.ts');
    process.kill(pid, 'SIGKILL');
    await waitFor(() => output.includes('docstore: blob is back'), 30_000);
    expect(output).toContain('docstore: blob was killed by SIGKILL; restarting in');
    expect(childPid('services/blob/src/main.ts')).not.toBe(pid);
    await waitFor(async () => (await fetch(`http://127.0.0.1:${ports.blob}/readyz`)).ok, 10_000);
  });

  it('restarts a PostgreSQL server killed with SIGKILL, and the metadata service is ready again', async () => {
    const pidFile = await readFile(join(dir.path, 'postgres/postmaster.pid'), 'utf8');
    process.kill(Number(pidFile.split('\n')[0]), 'SIGKILL');
    await waitFor(() => output.includes('docstore: postgres is back'), 60_000);
    expect(output).toContain('postgres: the server was killed by SIGKILL');
    await waitFor(async () => (await fetch(`http://127.0.0.1:${ports.metadata}/readyz`)).ok, 30_000);
  });

  it('takes every child down with it when killed with SIGKILL itself', async () => {
    const children = childPids();
    expect(children.length).toBe(4);
    start.kill('SIGKILL');
    await waitFor(async () => !(await anyOpen(Object.values(ports))), 20_000);
    await waitFor(() => children.every((pid) => !alive(pid)), 20_000);
  });

  function childPids(): number[] {
    const pid = start.pid ?? 0;
    return readChildren(pid).filter((child) => !cmdline(child).includes('esbuild'));
  }

  function childPid(entry: string): number {
    const found = childPids().find((pid) => cmdline(pid).includes(entry));
    if (found === undefined) throw new Error(`no child runs ${entry}`);
    return found;
  }
});

function readChildren(pid: number): number[] {
  return readFileSyncSafe(`/proc/${pid}/task/${pid}/children`).split(' ').filter(Boolean).map(Number);
}

function cmdline(pid: number): string {
  return readFileSyncSafe(`/proc/${pid}/cmdline`).replaceAll('\0', ' ');
}

function readFileSyncSafe(path: string): string {
  try {
    return readFileSync(path, 'utf8');
  } catch {
    return '';
  }
}

function alive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
}

async function anyOpen(ports: number[]): Promise<boolean> {
  const open = await Promise.all(
    ports.map(
      (port) =>
        new Promise<boolean>((resolve) => {
          const socket = connect(port, '127.0.0.1');
          socket.once('connect', () => {
            socket.destroy();
            resolve(true);
          });
          socket.once('error', () => resolve(false));
        }),
    ),
  );
  return open.some(Boolean);
}

async function waitFor(check: () => boolean | Promise<boolean>, timeoutMs: number): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    if (await Promise.resolve(check()).catch(() => false)) return;
    if (Date.now() > deadline) throw new Error(`timed out after ${timeoutMs} ms`);
    await sleep(200);
  }
}
