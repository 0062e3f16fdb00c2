import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';

/** How long a postmaster gets for a fast shutdown (SIGINT) before SIGKILL (a frozen one never answers). */
const FAST_SHUTDOWN_MS = 10_000;

/**
 * Stops the postmaster recorded in `dataDir/postmaster.pid` when it is still alive and is a postgres
 * process: one left behind by a PostgreSQL process that was killed (postgres has no parent-death
 * signal), or one that stopped answering. A stale file of a dead server is left for postgres, which
 * handles it itself.
 */
export async function stopStalePostmaster(dataDir: string): Promise<void> {
  const pid = await postmasterPid(dataDir);
  if (pid === undefined || !(await isPostgres(pid))) return;
  signal(pid, 'SIGINT');
  // A frozen (SIGSTOPped) server cannot act on SIGINT until continued.
  signal(pid, 'SIGCONT');
  for (let waited = 0; waited < FAST_SHUTDOWN_MS; waited += 100) {
    if (!alive(pid)) return;
    await sleep(100);
  }
  signal(pid, 'SIGKILL');
  while (alive(pid)) await sleep(100);
}

async function postmasterPid(dataDir: string): Promise<number | undefined> {
  const text = await readFile(join(dataDir, 'postmaster.pid'), 'utf8').catch(() => '');
  const pid = Number(text.split('\n')[0]);
  return Number.isInteger(pid) && pid > 0 ? pid : undefined;
}

/** The pid may have been reused since: only a process whose command line says postgres counts. */
async function isPostgres(pid: number): Promise<boolean> {
  if (!alive(pid)) return false;
  const cmdline = await readFile(`/proc/${pid}/cmdline`, 'utf8').catch(() => '');
  return cmdline.includes('postgres');
}

function alive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
}

function signal(pid: number, name: NodeJS.Signals): void {
  try {
    process.kill(pid, name);
  } catch {
    // Gone already.
  }
}
