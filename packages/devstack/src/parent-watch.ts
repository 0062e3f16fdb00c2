/**
 * Preloaded (`--import`) into every process devstack starts (services, the S3 and PostgreSQL
 * processes of `pnpm start`, benchmark servers): when the process that started it is gone, even
 * killed with SIGKILL, this one gets SIGTERM, so it shuts down as usual and frees its port. Linux
 * re-parents an orphan (to init or a subreaper), which changes `process.ppid`; polling it needs no
 * native code (prctl's PDEATHSIG is out of reach from Node) and no cooperation from the entry point.
 */
const POLL_MS = 500;
/** A process that ignores SIGTERM this long after its parent died is ended anyway. */
const FORCE_EXIT_MS = 15_000;

const parent = process.ppid;
const timer = setInterval(() => {
  if (process.ppid === parent) return;
  clearInterval(timer);
  process.stderr.write(`${JSON.stringify({ message: 'parent process gone; shutting down', parent })}\n`);
  setTimeout(() => process.exit(1), FORCE_EXIT_MS).unref();
  process.kill(process.pid, 'SIGTERM');
}, POLL_MS);
// The watch never keeps a process alive by itself.
timer.unref();
