import type { StatusEvent } from '@docstore/contract';

/** An event as it travels between instances: its position, its owner, and what clients see. */
export interface StoredStatusEvent {
  id: string;
  userId: string;
  event: StatusEvent;
}

export type StatusListener = (stored: StoredStatusEvent) => void;

/**
 * This instance's subscribers, by user. Every event from every instance (PostgreSQL NOTIFY) is
 * published here once and handed to the owner's listeners only.
 */
export interface StatusBus {
  /** Hands the event to its owner's listeners, synchronously; returns how many there were. */
  publish(stored: StoredStatusEvent): number;
  subscribe(userId: string, listener: StatusListener): () => void;
  /** Listeners currently registered: a closed subscription must leave none behind. */
  readonly listenerCount: number;
}

export function createStatusBus(): StatusBus {
  const byUser = new Map<string, Set<StatusListener>>();
  let count = 0;
  return {
    publish(stored) {
      let handed = 0;
      for (const listener of byUser.get(stored.userId) ?? []) {
        listener(stored);
        handed += 1;
      }
      return handed;
    },
    subscribe(userId, listener) {
      let listeners = byUser.get(userId);
      if (!listeners) {
        listeners = new Set();
        byUser.set(userId, listeners);
      }
      listeners.add(listener);
      count += 1;
      return () => {
        if (!listeners.delete(listener)) return;
        count -= 1;
        if (listeners.size === 0) byUser.delete(userId);
      };
    },
    get listenerCount() {
      return count;
    },
  };
}
