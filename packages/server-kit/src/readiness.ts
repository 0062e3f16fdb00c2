/**
 * `/readyz` that reflects real unavailability, not a slow probe under load. Calls that arrive while a
 * probe runs share it (a load balancer polling hard adds no load), a probe that failed fast (refused,
 * an error answer) counts at once, and one that failed by running out of time counts only when the
 * previous probe did too: one slow answer on a busy machine does not take the instance out of rotation.
 */
export function steadyReadiness<Result extends { ok: boolean }>(
  probe: () => Promise<Result>,
  options: {
    /** A failed probe that took at least this long failed by timing out. */
    slowMs: number;
    /** Consecutive timed-out probes before readiness turns false (default 2). */
    slowFailuresToTrip?: number;
  },
): () => Promise<Result> {
  const trip = options.slowFailuresToTrip ?? 2;
  let running: Promise<Result> | undefined;
  let lastGood: Result | undefined;
  let slowFailures = 0;
  const run = async (): Promise<Result> => {
    const started = performance.now();
    const result = await probe();
    if (result.ok) {
      slowFailures = 0;
      lastGood = result;
      return result;
    }
    const timedOut = performance.now() - started >= options.slowMs;
    if (!timedOut) {
      slowFailures = trip;
      return result;
    }
    slowFailures += 1;
    return slowFailures < trip && lastGood ? lastGood : result;
  };
  return () => {
    running ??= run().finally(() => {
      running = undefined;
    });
    return running;
  };
}
