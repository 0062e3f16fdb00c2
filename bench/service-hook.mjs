/**
 * Preloaded into a service under the bench (`NODE_OPTIONS=--import …/service-hook.mjs`), changing
 * nothing in the service itself:
 * - SIGUSR2: a full garbage collection, then one stdout line
 *   `{"message":"bench-memory","rss":…,"heapUsed":…,"external":…,"arrayBuffers":…}`, so memory can be
 *   read with the garbage gone instead of whenever V8 last collected.
 * - SIGWINCH, when BENCH_PROFILE_DIR is set: starts the CPU profiler, and the next one stops it and
 *   writes BENCH_PROFILE_DIR/<name>-<pid>-<n>.cpuprofile (Node refuses --cpu-prof in NODE_OPTIONS; this
 *   also profiles just the measured window). Summarise with bench/profile-summary.ts.
 */
import { writeFileSync } from 'node:fs';
import { Session } from 'node:inspector';
import { join } from 'node:path';
import { setFlagsFromString } from 'node:v8';
import { runInNewContext } from 'node:vm';

setFlagsFromString('--expose-gc');
const gc = runInNewContext('gc');

process.on('SIGUSR2', () => {
  gc();
  gc();
  const { rss, heapUsed, external, arrayBuffers } = process.memoryUsage();
  process.stdout.write(
    `${JSON.stringify({ message: 'bench-memory', rss, heapUsed, external, arrayBuffers })}\n`,
  );
});

const dir = process.env.BENCH_PROFILE_DIR;
if (dir) {
  const session = new Session();
  session.connect();
  session.post('Profiler.enable');
  session.post('Profiler.setSamplingInterval', { interval: 200 });
  let running = false;
  let written = 0;
  process.on('SIGWINCH', () => {
    if (!running) {
      session.post('Profiler.start');
      running = true;
      return;
    }
    running = false;
    // A same-thread inspector session answers synchronously.
    session.post('Profiler.stop', (error, result) => {
      if (error) return;
      written += 1;
      const name = process.env.BENCH_PROFILE_NAME ?? 'service';
      writeFileSync(
        join(dir, `${name}-${process.pid}-${written}.cpuprofile`),
        JSON.stringify(result.profile),
      );
    });
  });
}
