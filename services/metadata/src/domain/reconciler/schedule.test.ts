import type { Logger } from '@docstore/server-kit';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { emptyReport, type ReconcileReport } from './reconciler.ts';
import { scheduleReconciler } from './schedule.ts';

const report = (overrides: Partial<ReconcileReport> = {}): ReconcileReport => ({
  ...emptyReport(false),
  ...overrides,
});

function recordingLogger() {
  const lines: Array<{ level: string; message: string; fields?: Record<string, unknown> }> = [];
  const logger = {
    info: (message: string, fields?: Record<string, unknown>) =>
      lines.push({ level: 'info', message, fields }),
    warn: (message: string, fields?: Record<string, unknown>) =>
      lines.push({ level: 'warn', message, fields }),
    error: (message: string, fields?: Record<string, unknown>) =>
      lines.push({ level: 'error', message, fields }),
  } as unknown as Logger;
  return { logger, lines };
}

describe('scheduleReconciler', () => {
  beforeEach(() => vi.useFakeTimers());
  afterEach(() => vi.useRealTimers());

  it('runs once per interval (with at most 10 % jitter), never two runs at once, and stops', async () => {
    const { logger } = recordingLogger();
    let active = 0;
    let overlapped = false;
    let runs = 0;
    const schedule = scheduleReconciler({
      intervalMs: 1_000,
      logger,
      run: async () => {
        runs += 1;
        active += 1;
        overlapped ||= active > 1;
        await new Promise((done) => setTimeout(done, 3_000));
        active -= 1;
        return report();
      },
    });
    await vi.advanceTimersByTimeAsync(999);
    expect(runs).toBe(0);
    await vi.advanceTimersByTimeAsync(102);
    expect(runs).toBe(1);
    await vi.advanceTimersByTimeAsync(10_000);
    expect(runs).toBeGreaterThanOrEqual(2);
    expect(runs).toBeLessThanOrEqual(3);
    expect(overlapped).toBe(false);
    schedule.stop();
    const stoppedAt = runs;
    await vi.advanceTimersByTimeAsync(10_000);
    expect(runs).toBe(stoppedAt);
  });

  it('0 turns it off', async () => {
    const run = vi.fn(async () => report());
    scheduleReconciler({ intervalMs: 0, logger: recordingLogger().logger, run });
    await vi.advanceTimersByTimeAsync(60_000);
    expect(run).not.toHaveBeenCalled();
  });

  it('logs findings as a warning, a failed run as a warning, and keeps going', async () => {
    const { logger, lines } = recordingLogger();
    const results = [
      () => Promise.resolve(report({ orphansFound: 1, orphansRemoved: 1, orphanKeys: ['a/b/c'] })),
      () => Promise.reject(new Error('blob service is unreachable')),
      () => Promise.resolve(report()),
    ];
    const schedule = scheduleReconciler({
      intervalMs: 1_000,
      logger,
      run: () => (results.shift() ?? (() => Promise.resolve(report())))(),
    });
    await vi.advanceTimersByTimeAsync(3_500);
    schedule.stop();
    expect(lines.map((line) => [line.level, line.message])).toEqual([
      ['warn', 'reconciled: the bucket and the table disagreed'],
      ['warn', 'reconcile failed'],
      ['info', 'reconciled'],
    ]);
    expect(lines[0]?.fields).toMatchObject({ orphansRemoved: 1, orphanKeys: ['a/b/c'] });
    expect(lines[1]?.fields).toEqual({ error: 'blob service is unreachable' });
  });

  it('feeds the reconcile metrics with each pass: its report, or a failure', async () => {
    const passed: ReconcileReport[] = [];
    let failed = 0;
    const results = [
      () => Promise.resolve(report({ orphansRemoved: 2, objectsScanned: 5 })),
      () => Promise.reject(new Error('the database is unavailable')),
      () => Promise.resolve(report({ ran: false })),
    ];
    const schedule = scheduleReconciler({
      intervalMs: 1_000,
      logger: recordingLogger().logger,
      run: () => (results.shift() ?? (() => Promise.resolve(report())))(),
      metrics: { passed: (pass) => passed.push(pass as ReconcileReport), failed: () => (failed += 1) },
    });
    await vi.advanceTimersByTimeAsync(3_500);
    schedule.stop();
    expect(passed.map((pass) => [pass.ran, pass.orphansRemoved, pass.objectsScanned])).toEqual([
      [true, 2, 5],
      [false, 0, 0],
    ]);
    expect(failed).toBe(1);
  });
});
