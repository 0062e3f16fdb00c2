import type { StatusEvent } from '@docstore/contract';

/** How many events of other documents are kept while the current upload's id is not known yet. */
const BUFFER_LIMIT = 1000;

/**
 * Picks the current upload's events out of a subscription to all of the caller's documents.
 *
 * A direct upload learns its document id before the bytes go (`follow(id)`). A proxied upload
 * learns it only when the upload has finished, so until then the follower claims the first new
 * document (`pending`) with the expected size that shows up after `expect()` was called: another
 * upload of the same size by the same user at the same moment could be mistaken for it, which only
 * ever affects the progress shown, never the result.
 */
export class StatusFollower {
  #onEvent: (event: StatusEvent) => void;
  #buffer: StatusEvent[] = [];
  #followed: string | null = null;
  #expectedSize: number | null = null;
  /** Every document this follower has claimed, so a later upload never claims one again. */
  #claimed = new Set<string>();
  #lastEvent: StatusEvent | null = null;
  #waiters = new Set<(event: StatusEvent) => void>();

  /** `onEvent` gets the followed document's events, in order. */
  constructor(onEvent: (event: StatusEvent) => void) {
    this.#onEvent = onEvent;
  }

  /** The followed document's latest event (e.g. to name the reason it failed). */
  get lastEvent(): StatusEvent | null {
    return this.#lastEvent;
  }

  /** The document id currently followed, once known. */
  get followed(): string | null {
    return this.#followed;
  }

  /** A proxied upload of `size` bytes is about to start: claim its document when it appears. */
  expect(size: number): void {
    this.#reset();
    this.#expectedSize = size;
  }

  /** Follows `documentId` from now on, first replaying what arrived for it already. */
  follow(documentId: string): void {
    if (this.#followed === documentId) return;
    const buffered = this.#buffer.filter((event) => event.documentId === documentId);
    this.#reset();
    this.#claim(documentId);
    for (const event of buffered) this.#deliver(event);
  }

  /**
   * The followed document's latest event if it matches, else the next one that does, or null after
   * `timeoutMs`: status events can trail the call that caused them by a few milliseconds.
   */
  until(match: (event: StatusEvent) => boolean, timeoutMs: number): Promise<StatusEvent | null> {
    if (this.#lastEvent !== null && match(this.#lastEvent)) return Promise.resolve(this.#lastEvent);
    return new Promise((resolve) => {
      const waiter = (event: StatusEvent) => {
        if (!match(event)) return;
        clearTimeout(timer);
        this.#waiters.delete(waiter);
        resolve(event);
      };
      const timer = setTimeout(() => {
        this.#waiters.delete(waiter);
        resolve(null);
      }, timeoutMs);
      this.#waiters.add(waiter);
    });
  }

  /** Stops following: events are ignored until the next `expect` or `follow`. */
  stop(): void {
    this.#reset();
  }

  /** Feeds one event from the subscription. */
  push(event: StatusEvent): void {
    if (this.#followed === null) {
      if (
        this.#expectedSize !== null &&
        event.status === 'pending' &&
        event.totalBytes === this.#expectedSize &&
        !this.#claimed.has(event.documentId)
      ) {
        this.#claim(event.documentId);
      } else {
        this.#buffer.push(event);
        if (this.#buffer.length > BUFFER_LIMIT) this.#buffer.shift();
        return;
      }
    }
    if (event.documentId === this.#followed) this.#deliver(event);
  }

  #claim(documentId: string): void {
    this.#followed = documentId;
    this.#claimed.add(documentId);
    this.#buffer = [];
  }

  #deliver(event: StatusEvent): void {
    this.#lastEvent = event;
    this.#onEvent(event);
    for (const waiter of [...this.#waiters]) waiter(event);
  }

  #reset(): void {
    this.#followed = null;
    this.#expectedSize = null;
    this.#lastEvent = null;
    this.#buffer = [];
  }
}
