import type { ServerResponse } from 'node:http';

/** What an upload or call cut by a shutdown records and answers: a public message, kept exact. */
export const SERVER_SHUT_DOWN = 'the server shut down';

/** The abort reason of work still running when the shutdown grace period ran out. */
export class ServerShutdown extends Error {
  override readonly name = 'ServerShutdown';
  constructor() {
    super(SERVER_SHUT_DOWN);
  }
}

/** Whether a signal was aborted by the server's shutdown (not by the client going away). */
export function abortedByShutdown(signal: AbortSignal): boolean {
  return signal.aborted && signal.reason instanceof ServerShutdown;
}

/**
 * A service's shutdown state. On SIGTERM it starts draining: readiness answers 503 at once and new
 * requests are refused with SERVICE_UNAVAILABLE, while the requests already running get the grace
 * period; when it runs out, `deadline` aborts with `ServerShutdown` for those still running.
 */
export interface Drain {
  readonly draining: boolean;
  /** Aborts (reason: `ServerShutdown`) when the grace period is over. */
  readonly deadline: AbortSignal;
  /** Counts a request as in flight until its response closes. */
  track(res: ServerResponse): void;
  /** Starts draining; resolves once no request is in flight, or `graceMs` passed (then `deadline` aborts). */
  drain(graceMs: number): Promise<void>;
}

/** How long aborted requests get to record their failure and answer once the grace period is over. */
const ABORTED_WORK_MS = 5_000;

export function createDrain(): Drain {
  let draining = false;
  let inFlight = 0;
  const deadline = new AbortController();
  const idleWaiters = new Set<() => void>();
  return {
    get draining() {
      return draining;
    },
    deadline: deadline.signal,
    track(res) {
      inFlight += 1;
      res.once('close', () => {
        inFlight -= 1;
        if (inFlight === 0) for (const wake of idleWaiters) wake();
      });
    },
    async drain(graceMs) {
      draining = true;
      const idle = (ms: number) =>
        inFlight === 0
          ? Promise.resolve()
          : new Promise<void>((resolve) => {
              const wake = () => {
                clearTimeout(timer);
                idleWaiters.delete(wake);
                resolve();
              };
              const timer = setTimeout(wake, ms);
              idleWaiters.add(wake);
            });
      await idle(graceMs);
      if (inFlight === 0) return;
      deadline.abort(new ServerShutdown());
      // Aborted work still records its failure and answers the client; give it a moment to.
      await idle(ABORTED_WORK_MS);
    },
  };
}
