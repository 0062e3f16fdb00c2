import { type LiveFeed, liveFeed, type StatusEvent } from '@docstore/contract';
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
}

/** Resolves when `signal` aborts. */
function aborted(signal: AbortSignal): Promise<void> {
  return new Promise((resolve) => {
    if (signal.aborted) resolve();
    else signal.addEventListener('abort', () => resolve(), { once: true });
  });
}

/**
 * A subscriber's events: those after `lastEventId` from the table, then live ones from the bus,
 * each exactly once. Listening starts before the replay, so nothing falls between the two; live
 * events are handed over synchronously from the bus, one pass for every subscriber of the user.
 */
export function statusStream(options: StatusStreamOptions): LiveFeed<{ id: string; event: StatusEvent }> {
  const { orm, bus, userId, documentId, lastEventId } = options;
  return liveFeed(async (deliver, signal) => {
    if (signal.aborted) return;
    /** Events published while the replay reads the table: delivered after it, unless it had them. */
    let held: StoredStatusEvent[] | undefined = lastEventId === undefined ? undefined : [];
    const replayed = new Set<string>();
    let replayEnded = 0;
    const unsubscribe = bus.subscribe(userId, (stored) => {
      if (documentId !== undefined && stored.event.documentId !== documentId) return;
      if (held) {
        held.push(stored);
        return;
      }
      if (replayed.size > 0) {
        // A replayed event's own NOTIFY can still arrive shortly after the replay read it.
        if (replayed.has(stored.id)) return;
        if (Date.now() - replayEnded > NOTIFY_GRACE_MS) replayed.clear();
      }
      deliver(stored);
    });
    try {
      if (lastEventId !== undefined) {
        let after = lastEventId;
        for (;;) {
          // A fork of its own: request contexts do not reach into subscriptions.
          const batch = await statusEventsAfter(orm.em.fork(), { userId, documentId }, after, REPLAY_BATCH);
          if (signal.aborted) return;
          for (const stored of batch) {
            replayed.add(stored.id);
            after = stored.id;
            deliver(stored);
          }
          if (batch.length < REPLAY_BATCH) break;
        }
        replayEnded = Date.now();
        const waiting = held ?? [];
        held = undefined;
        for (const stored of waiting) {
          if (!replayed.has(stored.id)) deliver(stored);
        }
      }
      await aborted(signal);
    } finally {
      unsubscribe();
    }
  });
}
