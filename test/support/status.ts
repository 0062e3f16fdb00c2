import type { MetadataClient, StatusEvent } from '@docstore/contract';

export interface ReceivedEvent {
  id: string;
  event: StatusEvent;
}

/** Collects what a `documents.onStatus` subscription delivers, and waits for a given event. */
export function collectStatus(
  client: MetadataClient,
  input: { documentId?: string; lastEventId?: string } = {},
) {
  const received: ReceivedEvent[] = [];
  const waiters: Array<{ match: (event: ReceivedEvent) => boolean; resolve: () => void }> = [];
  let started!: () => void;
  const startedPromise = new Promise<void>((resolve) => {
    started = resolve;
  });
  const subscription = client.documents.onStatus.subscribe(input, {
    onStarted: () => started(),
    onData(envelope) {
      const item = { id: envelope.id, event: envelope.data };
      received.push(item);
      for (const waiter of [...waiters]) {
        if (!waiter.match(item)) continue;
        waiters.splice(waiters.indexOf(waiter), 1);
        waiter.resolve();
      }
    },
  });
  return {
    received,
    started: startedPromise,
    of: (documentId: string) => received.filter((item) => item.event.documentId === documentId),
    /** Resolves when an event matching `match` has arrived (or already had). */
    until(match: (event: ReceivedEvent) => boolean, timeoutMs = 30_000): Promise<void> {
      if (received.some(match)) return Promise.resolve();
      return new Promise((resolve, reject) => {
        const timer = setTimeout(
          () => reject(new Error(`no matching status event in ${timeoutMs} ms`)),
          timeoutMs,
        );
        waiters.push({
          match,
          resolve: () => {
            clearTimeout(timer);
            resolve();
          },
        });
      });
    },
    stop: () => subscription.unsubscribe(),
  };
}
