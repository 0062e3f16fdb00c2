/** setTimeout's longest delay (about 24.8 days). */
const MAX_TIMER_MS = 2 ** 31 - 1;

/**
 * A signal that aborts at `expiresAt` (ms since the epoch), however far away; its timers do not
 * keep the process alive.
 */
export function sessionEndSignal(expiresAt: number): AbortSignal {
  const controller = new AbortController();
  const arm = () => {
    const remaining = expiresAt - Date.now();
    if (remaining <= 0) {
      controller.abort(new Error('the access token expired'));
      return;
    }
    setTimeout(arm, Math.min(remaining, MAX_TIMER_MS)).unref();
  };
  arm();
  return controller.signal;
}
