/** setTimeout's longest delay (about 24.8 days). */
const MAX_TIMER_MS = 2 ** 31 - 1;

/**
 * A signal that aborts at `expiresAt` (ms since the epoch), however far away, for a connection that
 * outlives single requests. Its timer stops when `closed` aborts (the connection went away), so a
 * closed connection holds nothing until its token would have expired.
 */
export function sessionEndSignal(expiresAt: number, closed: AbortSignal): AbortSignal {
  const controller = new AbortController();
  let timer: NodeJS.Timeout | undefined;
  const arm = () => {
    const remaining = expiresAt - Date.now();
    if (remaining <= 0) {
      controller.abort(new Error('the access token expired'));
      return;
    }
    timer = setTimeout(arm, Math.min(remaining, MAX_TIMER_MS));
    timer.unref();
  };
  arm();
  closed.addEventListener('abort', () => clearTimeout(timer), { once: true });
  return controller.signal;
}

/** For a single request: the token was checked just now and outlives the request. */
export const REQUEST_SESSION: AbortSignal = new AbortController().signal;
