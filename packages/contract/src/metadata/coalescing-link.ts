import type { TRPCLink } from '@trpc/client';
import type { AnyRouter } from '@trpc/server';
import { observable } from '@trpc/server/observable';

type OperationLink<TRouter extends AnyRouter> = ReturnType<TRPCLink<TRouter>>;

interface Queued<TRouter extends AnyRouter> {
  start(link: OperationLink<TRouter>): void;
  /** Unsubscribed before it was sent. */
  cancelled: boolean;
  signal: AbortSignal | null | undefined;
}

/**
 * Batches only the calls that coincide. `httpBatchLink` waits on a `setTimeout` (at least 1 ms in
 * Node, plus its own CPU) before it sends anything, even a lone call. Here every call waits one
 * microtask instead: a call still alone when it runs goes over `single` (a plain request, no timer);
 * calls issued together (a `Promise.all`, one render's queries) all go to `batch`, which keeps its
 * own splitting by item count and URL length.
 */
export function coalescingLink<TRouter extends AnyRouter>(links: {
  single: TRPCLink<TRouter>;
  batch: TRPCLink<TRouter>;
}): TRPCLink<TRouter> {
  return (runtime) => {
    const single = links.single(runtime);
    const batch = links.batch(runtime);
    let queue: Queued<TRouter>[] = [];
    const flush = () => {
      const live = queue.filter((entry) => !entry.cancelled);
      queue = [];
      // A call aborted while it waited still goes to a link (which rejects it at once) but does not
      // make a lone call wait for a batch.
      const sending = live.filter((entry) => !entry.signal?.aborted);
      const link = sending.length === 1 ? single : batch;
      for (const entry of live) entry.start(entry.signal?.aborted ? single : link);
    };
    return (props) =>
      observable((observer) => {
        let unsubscribe: (() => void) | undefined;
        const entry: Queued<TRouter> = {
          cancelled: false,
          signal: props.op.signal,
          start(link) {
            unsubscribe = link(props).subscribe(observer).unsubscribe;
          },
        };
        if (queue.length === 0) queueMicrotask(flush);
        queue.push(entry);
        return () => {
          entry.cancelled = true;
          unsubscribe?.();
        };
      });
  };
}
