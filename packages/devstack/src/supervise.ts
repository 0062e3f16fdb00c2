import { setTimeout as sleep } from 'node:timers/promises';
import type { ServiceProcess } from './service-process.ts';

export interface SuperviseOptions {
  /** First restart delay; it doubles with each restart in a row, up to `maxDelayMs`. */
  baseDelayMs?: number;
  maxDelayMs?: number;
  /** A child that ran this long counts as healthy: the next crash restarts it after `baseDelayMs` again. */
  stableMs?: number;
  /** Where the supervisor says what it does (default: stderr). */
  log?: (line: string) => void;
}

export interface Supervised {
  /** The running child (replaced after each restart). */
  readonly current: ServiceProcess;
  /** From now on an exit is final: no restart follows (call it on every child before stopping them in order). */
  release(): void;
  /** Stops the child for good; no restart follows. */
  stop(): Promise<void>;
}

/**
 * Keeps a child process running: when it exits without `stop()`, it is started again by `start`
 * after a backoff (0.5 s, 1 s, 2 s … 30 s; back to 0.5 s once a child ran a minute), and every exit
 * and restart is logged. The first start's failure is the caller's; later failed starts are retried.
 */
export async function supervise(
  name: string,
  start: () => Promise<ServiceProcess>,
  { baseDelayMs = 500, maxDelayMs = 30_000, stableMs = 60_000, log = defaultLog }: SuperviseOptions = {},
): Promise<Supervised> {
  let current = await start();
  let startedAt = Date.now();
  let restarts = 0;
  let stopping = false;
  // Ends a backoff wait at once when stop() comes.
  const stopped = new AbortController();
  let restarting: Promise<void> | undefined;

  const delay = () => Math.min(maxDelayMs, baseDelayMs * 2 ** restarts);

  const onExit = async (code: number | null, signal: NodeJS.Signals | null) => {
    if (stopping) return;
    if (Date.now() - startedAt >= stableMs) restarts = 0;
    let reason = signal ? `was killed by ${signal}` : `exited with ${code}`;
    for (;;) {
      const wait = delay();
      restarts++;
      log(`docstore: ${name} ${reason}; restarting in ${formatMs(wait)} (restart ${restarts})`);
      await sleep(wait, undefined, { signal: stopped.signal }).catch(() => {});
      if (stopping) return;
      try {
        const next = await start();
        if (stopping) return await next.stop();
        current = next;
        break;
      } catch (error) {
        if (stopping) return;
        reason = `failed to start (${firstLine(error)})`;
      }
    }
    startedAt = Date.now();
    log(`docstore: ${name} is back (port ${current.port})`);
    watch();
  };
  const watch = () =>
    current.child.once('exit', (code, signal) => {
      restarting = onExit(code, signal);
    });
  watch();

  const release = () => {
    stopping = true;
    stopped.abort();
  };
  return {
    get current() {
      return current;
    },
    release,
    async stop() {
      release();
      await restarting;
      await current.stop();
    },
  };
}

function defaultLog(line: string): void {
  process.stderr.write(`${line}\n`);
}

function formatMs(ms: number): string {
  return ms < 1_000 ? `${ms} ms` : `${ms / 1_000} s`;
}

function firstLine(error: unknown): string {
  return (error instanceof Error ? error.message : String(error)).split('\n')[0] ?? '';
}
