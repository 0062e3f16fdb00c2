const LIVE_FEED = Symbol.for('docstore.live-feed');

/**
 * What a subscription's resolver returns: a live stream that a server can consume by push or by
 * pull. By push (`listen`), each item is handed over synchronously as it happens, so one event can
 * be written to a thousand sockets in one pass, without an async iteration per subscriber. By pull,
 * it is an AsyncIterable like any tRPC subscription (tRPC's own adapters, `createCaller`, tests).
 * Each consumption runs the feed afresh.
 */
export interface LiveFeed<T> extends AsyncIterable<T, void, undefined> {
  readonly [LIVE_FEED]: true;
  /**
   * Hands each item to `deliver` as it comes. Resolves when the feed ends or promptly once `signal`
   * aborts (already aborted: at once, having delivered nothing); rejects with what made it fail.
   * `deliver` must not throw.
   */
  listen(deliver: (item: T) => void, signal: AbortSignal): Promise<void>;
}

/** Runs a feed: delivers items until it ends (resolves), fails (rejects) or `signal` aborts (resolves). */
export type FeedRun<T> = (deliver: (item: T) => void, signal: AbortSignal) => Promise<void>;

export function isLiveFeed(value: unknown): value is LiveFeed<unknown> {
  return typeof value === 'object' && value !== null && LIVE_FEED in value;
}

/** A feed of what `run` delivers. */
export function liveFeed<T>(run: FeedRun<T>): LiveFeed<T> {
  return {
    [LIVE_FEED]: true,
    listen: run,
    [Symbol.asyncIterator]: () => pull(run),
  };
}

/** The same feed, its failures passed through `mapError` (a domain error for a driver's, say). */
export function mapFeedErrors<T>(feed: LiveFeed<T>, mapError: (error: unknown) => unknown): LiveFeed<T> {
  return liveFeed((deliver, signal) =>
    feed.listen(deliver, signal).catch((error: unknown) => {
      throw mapError(error);
    }),
  );
}

/** The pull side: items queue until the consumer asks; returning early stops the run. */
async function* pull<T>(run: FeedRun<T>): AsyncGenerator<T, void, undefined> {
  const stop = new AbortController();
  const queue: T[] = [];
  let wake: (() => void) | undefined;
  let ended: { failure?: unknown } | undefined;
  run((item) => {
    queue.push(item);
    wake?.();
  }, stop.signal).then(
    () => {
      ended = {};
      wake?.();
    },
    (failure: unknown) => {
      ended = { failure };
      wake?.();
    },
  );
  try {
    for (;;) {
      if (queue.length > 0) {
        yield queue.shift() as T;
        continue;
      }
      if (ended) {
        if ('failure' in ended) throw ended.failure;
        return;
      }
      await new Promise<void>((resolve) => {
        wake = resolve;
      });
      wake = undefined;
    }
  } finally {
    stop.abort();
  }
}
