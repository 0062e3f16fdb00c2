import { setFlagsFromString } from 'node:v8';
import { runInNewContext } from 'node:vm';

/** Runs one collection of V8's young generation. */
export type CollectYoung = () => void;

/**
 * V8's young-generation collector, or null where it cannot be had. `gc` is exposed only for the
 * moment it takes to fetch it from a fresh context (the usual `--expose-gc` trick, as the
 * `expose-gc` package does it), so no other code sees a global `gc`.
 */
export function youngGenerationCollector(): CollectYoung | null {
  try {
    setFlagsFromString('--expose-gc');
    const gc: unknown = runInNewContext('gc');
    setFlagsFromString('--no-expose-gc');
    if (typeof gc !== 'function') return null;
    return () => gc({ type: 'minor' });
  } catch {
    return null;
  }
}

/**
 * Counts the bytes a process streams through (whatever the stream) and runs `collect` each time
 * another `everyBytes` have passed.
 *
 * Why: every read from a socket is a fresh buffer (64 KiB) outside the JS heap. A stream that
 * allocates few JS objects per chunk hardly triggers a young collection, so the chunks it already
 * passed on stay until V8's external-memory limit schedules a full collection, which marks the
 * whole heap: in the metadata service 12-14 of them per 256 MiB upload, ~0.5 s of CPU, and a
 * plateau of ~74 MiB of RSS when S3 reads slowly. A young collection every few MiB frees those
 * chunks for about a millisecond each (docs/benchmarks.md).
 */
export function collectEvery(everyBytes: number, collect: CollectYoung | null): (bytes: number) => void {
  if (!collect) return () => {};
  let since = 0;
  return (bytes) => {
    since += bytes;
    if (since < everyBytes) return;
    since = 0;
    collect();
  };
}
