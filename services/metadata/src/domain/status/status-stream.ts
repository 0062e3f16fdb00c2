import type { StatusEvent } from '@docstore/contract';
import type { MikroORM } from '@mikro-orm/postgresql';
import type { StatusBus, StoredStatusEvent } from './status-bus.ts';
import { statusEventsAfter } from './status-store.ts';

const REPLAY_BATCH = 500;
/** How long a replayed event's NOTIFY may still be on its way to this instance. */
const NOTIFY_GRACE_MS = 10_000;

export interface StatusStreamOptions {
  orm: MikroORM;
  bus: StatusBus;
  userId: string;
  documentId?: string;
  lastEventId?: string;
  signal: AbortSignal;
}

/**
 * A subscriber's events: those after `lastEventId` from the table, then live ones from the bus,
 * each exactly once. Listening starts before the replay, so nothing falls between the two. Ends
 * (and unregisters) when `signal` aborts.
 */
export async function* statusStream(
  options: StatusStreamOptions,
): AsyncGenerator<{ id: string; event: StatusEvent }> {
  const { bus, userId, documentId, signal } = options;
  const queue: StoredStatusEvent[] = [];
  let wake: (() => void) | undefined;
  const unsubscribe = bus.subscribe(userId, (stored) => {
    if (documentId !== undefined && stored.event.documentId !== documentId) return;
    queue.push(stored);
    wake?.();
  });
  const onAbort = () => wake?.();
  signal.addEventListener('abort', onAbort);
  try {
    const replayed = new Set<string>();
    if (options.lastEventId !== undefined) {
      let after = options.lastEventId;
      for (;;) {
        // A fork of its own: request contexts do not reach into subscription generators.
        const batch = await statusEventsAfter(
          options.orm.em.fork(),
          { userId, documentId },
          after,
          REPLAY_BATCH,
        );
        for (const stored of batch) {
          replayed.add(stored.id);
          after = stored.id;
          yield { id: stored.id, event: stored.event };
        }
        if (batch.length < REPLAY_BATCH) break;
      }
    }
    const replayEnded = Date.now();
    while (!signal.aborted) {
      const stored = queue.shift();
      if (stored === undefined) {
        // A replayed event's own NOTIFY can still arrive shortly after the replay read it.
        if (replayed.size > 0 && Date.now() - replayEnded > NOTIFY_GRACE_MS) replayed.clear();
        await new Promise<void>((resolve) => {
          wake = resolve;
        });
        wake = undefined;
        continue;
      }
      if (!replayed.has(stored.id)) yield { id: stored.id, event: stored.event };
    }
  } finally {
    unsubscribe();
    signal.removeEventListener('abort', onAbort);
  }
}
