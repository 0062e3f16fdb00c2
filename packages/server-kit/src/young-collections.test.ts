import { constants, PerformanceObserver } from 'node:perf_hooks';
import { describe, expect, it } from 'vitest';
import { collectEvery, youngGenerationCollector } from './young-collections.ts';

describe('collectEvery', () => {
  it('collects once each time another everyBytes have passed, counting across calls', () => {
    let collections = 0;
    const streamed = collectEvery(8, () => {
      collections += 1;
    });
    for (const bytes of [3, 4, 1, 7, 9, 2]) streamed(bytes);
    // 3+4+1 = 8: one; 7+9 = 16: two; 2 left over.
    expect(collections).toBe(2);
  });

  it('does nothing without a collector', () => {
    expect(() => collectEvery(1, null)(10)).not.toThrow();
  });
});

describe('youngGenerationCollector', () => {
  it('runs a young-generation collection, without leaving a global gc behind', async () => {
    const collect = youngGenerationCollector();
    expect(collect).toBeTypeOf('function');
    expect('gc' in globalThis).toBe(false);
    const minor: number[] = [];
    const observer = new PerformanceObserver((list) => {
      for (const entry of list.getEntries()) {
        const kind = (entry as { detail?: { kind?: number } }).detail?.kind;
        if (kind === constants.NODE_PERFORMANCE_GC_MINOR) minor.push(entry.startTime);
      }
    });
    observer.observe({ entryTypes: ['gc'] });
    try {
      const before = performance.now();
      collect?.();
      const after = performance.now();
      // The collection runs inside the call: its entry (delivered on a later turn) starts in between.
      const during = () => minor.some((at) => at >= before && at <= after);
      for (let tries = 0; tries < 50 && !during(); tries += 1) {
        await new Promise((resolve) => setTimeout(resolve, 10));
      }
      expect(during()).toBe(true);
    } finally {
      observer.disconnect();
    }
  });
});
