import { describe, expect, it } from 'vitest';
import { isLiveFeed, liveFeed, mapFeedErrors } from './live-feed.ts';

/** A feed that delivers `items` at once, then waits for its stop (recorded in `runs`). */
function feedOf(items: number[], runs: { started: number; stopped: number }) {
  return liveFeed<number>(async (deliver, signal) => {
    runs.started += 1;
    for (const item of items) deliver(item);
    if (!signal.aborted) {
      await new Promise<void>((resolve) => signal.addEventListener('abort', () => resolve(), { once: true }));
    }
    runs.stopped += 1;
  });
}

describe('liveFeed', () => {
  it('by push: every item in order, until the signal aborts', async () => {
    const runs = { started: 0, stopped: 0 };
    const seen: number[] = [];
    const stop = new AbortController();
    const listening = feedOf([1, 2, 3], runs).listen((item) => {
      seen.push(item);
      if (item === 3) stop.abort();
    }, stop.signal);
    await listening;
    expect(seen).toEqual([1, 2, 3]);
    expect(runs).toEqual({ started: 1, stopped: 1 });
  });

  it('by pull: the same items; leaving the loop stops the run', async () => {
    const runs = { started: 0, stopped: 0 };
    const seen: number[] = [];
    for await (const item of feedOf([1, 2, 3], runs)) {
      seen.push(item);
      if (item === 2) break;
    }
    await new Promise((resolve) => setImmediate(resolve));
    expect(seen).toEqual([1, 2]);
    expect(runs).toEqual({ started: 1, stopped: 1 });
  });

  it('a failure reaches the puller after the items delivered before it', async () => {
    const failing = liveFeed<number>(async (deliver) => {
      deliver(1);
      deliver(2);
      throw new Error('the database went away');
    });
    const seen: number[] = [];
    await expect(
      (async () => {
        for await (const item of failing) seen.push(item);
      })(),
    ).rejects.toThrow('the database went away');
    expect(seen).toEqual([1, 2]);
  });

  it('mapFeedErrors maps failures, and passes items and the stop through', async () => {
    const runs = { started: 0, stopped: 0 };
    const stop = new AbortController();
    const seen: number[] = [];
    await mapFeedErrors(feedOf([1, 2], runs), (error) => error).listen((item) => {
      seen.push(item);
      if (seen.length === 2) stop.abort();
    }, stop.signal);
    expect(seen).toEqual([1, 2]);
    expect(runs.stopped).toBe(1);

    const failing = liveFeed<number>(async () => {
      throw new Error('raw');
    });
    const mapped = mapFeedErrors(failing, (error) => new Error(`mapped: ${(error as Error).message}`));
    await expect(mapped.listen(() => {}, new AbortController().signal)).rejects.toThrow('mapped: raw');
  });

  it('is told apart from other async iterables', () => {
    async function* generator() {}
    expect(isLiveFeed(liveFeed(async () => {}))).toBe(true);
    expect(isLiveFeed(generator())).toBe(false);
    expect(isLiveFeed(null)).toBe(false);
  });
});
