import { readdir, readFile } from 'node:fs/promises';

/** The pid and every descendant's, from /proc (PostgreSQL runs one process per connection). */
async function processTree(root: number): Promise<number[]> {
  const parents = new Map<number, number>();
  for (const entry of await readdir('/proc')) {
    if (!/^\d+$/.test(entry)) continue;
    const stat = await readFile(`/proc/${entry}/stat`, 'utf8').catch(() => '');
    // Field 4 is the parent pid; the command name (field 2) may hold spaces, so cut after its ')'.
    const ppid = Number(stat.slice(stat.lastIndexOf(')') + 2).split(' ')[1]);
    if (ppid) parents.set(Number(entry), ppid);
  }
  const tree = [root];
  for (let i = 0; i < tree.length; i++) {
    for (const [pid, ppid] of parents) if (ppid === tree[i]) tree.push(pid);
  }
  return tree;
}

/**
 * Freezes a real process and its children with SIGSTOP (a hung dependency: connections stay open,
 * nothing answers) and returns what thaws them with SIGCONT.
 */
export async function freeze(pid: number): Promise<() => void> {
  const pids = await processTree(pid);
  for (const each of pids) process.kill(each, 'SIGSTOP');
  return () => {
    for (const each of pids) {
      try {
        process.kill(each, 'SIGCONT');
      } catch {
        // Gone meanwhile: nothing to thaw.
      }
    }
  };
}

/** The postmaster's pid of an embedded PostgreSQL, from its data folder. */
export async function postmasterPid(dataDir: string): Promise<number> {
  const [first] = (await readFile(`${dataDir}/postmaster.pid`, 'utf8')).split('\n');
  return Number(first);
}
