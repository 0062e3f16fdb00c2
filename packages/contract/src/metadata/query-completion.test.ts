import { observable, observableToPromise } from '@trpc/server/observable';
import { afterEach, describe, expect, it, vi } from 'vitest';

/**
 * The typed client turns every query into a promise through tRPC's `observableToPromise`. Unpatched,
 * its `complete()` aborted an AbortController after the value had arrived, building a DOMException
 * (a stack trace) on every call: ~45 µs of client CPU a query here. patches/@trpc__server@*.patch
 * aborts only when the observable completes without a value, which still rejects.
 */
describe("tRPC's observableToPromise (patched)", () => {
  afterEach(() => vi.restoreAllMocks());

  it('resolves a value followed by completion without aborting anything', async () => {
    const abort = vi.spyOn(AbortController.prototype, 'abort');
    const value = observable<number>((observer) => {
      observer.next(42);
      observer.complete();
    });
    await expect(observableToPromise(value)).resolves.toBe(42);
    expect(abort).not.toHaveBeenCalled();
  });

  it('still rejects an observable that completes without a value', async () => {
    const empty = observable<number>((observer) => observer.complete());
    await expect(observableToPromise(empty)).rejects.toMatchObject({ name: 'AbortError' });
  });
});
