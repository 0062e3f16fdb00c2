import type { ChildProcess } from 'node:child_process';
import { EventEmitter } from 'node:events';
import { setTimeout as sleep } from 'node:timers/promises';
import { describe, expect, it } from 'vitest';
import type { ServiceProcess } from './service-process.ts';
import { supervise } from './supervise.ts';

/** A stand-in child: `crash()` makes it exit as a killed process would. */
function fakeService(port: number) {
  const child = new EventEmitter() as ChildProcess;
  let stopped = false;
  const service: ServiceProcess = {
    url: `http://127.0.0.1:${port}`,
    port,
    child,
    logs: [],
    async stop() {
      stopped = true;
    },
  };
  return {
    service,
    crash: () => child.emit('exit', null, 'SIGKILL'),
    get stopped() {
      return stopped;
    },
  };
}

async function until(check: () => boolean): Promise<void> {
  for (let waited = 0; !check(); waited += 5) {
    if (waited > 2_000) throw new Error('timed out');
    await sleep(5);
  }
}

describe('supervise', () => {
  it('restarts a crashed child with a doubling backoff, retries failed starts, and logs each step', async () => {
    const log: string[] = [];
    const started: Array<ReturnType<typeof fakeService>> = [];
    let failNext = false;
    const supervised = await supervise(
      'blob',
      async () => {
        if (failNext) {
          failNext = false;
          throw new Error('port in use\nmore');
        }
        const service = fakeService(4001);
        started.push(service);
        return service.service;
      },
      { baseDelayMs: 10, maxDelayMs: 40, log: (line) => log.push(line) },
    );
    started[0]?.crash();
    await until(() => started.length === 2);
    expect(supervised.current).toBe(started[1]?.service);

    failNext = true;
    started[1]?.crash();
    await until(() => started.length === 3);
    expect(log).toEqual([
      'docstore: blob was killed by SIGKILL; restarting in 10 ms (restart 1)',
      'docstore: blob is back (port 4001)',
      'docstore: blob was killed by SIGKILL; restarting in 20 ms (restart 2)',
      'docstore: blob failed to start (port in use); restarting in 40 ms (restart 3)',
      'docstore: blob is back (port 4001)',
    ]);
    await supervised.stop();
  });

  it('starts nothing after stop(), even when stop() comes during a backoff', async () => {
    const started: Array<ReturnType<typeof fakeService>> = [];
    const supervised = await supervise(
      's3',
      async () => {
        const service = fakeService(9000);
        started.push(service);
        return service.service;
      },
      { baseDelayMs: 50, log: () => {} },
    );
    started[0]?.crash();
    await supervised.stop();
    await sleep(100);
    expect(started).toHaveLength(1);
    expect(started[0]?.stopped).toBe(true);
  });

  it('starts from the first delay again after a child ran for stableMs', async () => {
    const log: string[] = [];
    const started: Array<ReturnType<typeof fakeService>> = [];
    const supervised = await supervise(
      'metadata',
      async () => {
        const service = fakeService(4000);
        started.push(service);
        return service.service;
      },
      { baseDelayMs: 10, stableMs: 30, log: (line) => log.push(line) },
    );
    started[0]?.crash();
    await until(() => started.length === 2);
    await sleep(40);
    started[1]?.crash();
    await until(() => started.length === 3);
    expect(log.filter((line) => line.includes('restarting'))).toEqual([
      'docstore: metadata was killed by SIGKILL; restarting in 10 ms (restart 1)',
      'docstore: metadata was killed by SIGKILL; restarting in 10 ms (restart 1)',
    ]);
    await supervised.stop();
  });
});
