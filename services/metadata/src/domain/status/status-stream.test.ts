import { randomUUID } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { openTestDatabase, type TestDatabase } from '../../db/test-database.ts';
import { createStatusBus, type StoredStatusEvent } from './status-bus.ts';
import { recordStatus, statusEventsAfter } from './status-store.ts';
import { statusStream } from './status-stream.ts';

/**
 * The status stream against a real PostgreSQL: a resumed subscriber gets what it missed from the
 * table, then live events from the bus, each exactly once, including those whose NOTIFY arrives
 * while the table is being read and those whose NOTIFY comes after the replay already had them.
 */
describe('statusStream', () => {
  let database: TestDatabase;

  beforeAll(async () => {
    database = await openTestDatabase('status_stream');
  }, 60_000);
  afterAll(() => database?.close(), 30_000);

  /** Stores an event the way the service does and returns it as its NOTIFY would deliver it. */
  async function stored(userId: string, documentId: string): Promise<StoredStatusEvent> {
    const em = database.orm.em.fork();
    await recordStatus(em, userId, { documentId, status: 'pending', receivedBytes: 0, totalBytes: 1 });
    const all = await statusEventsAfter(em, { userId }, '0', 1_000);
    const last = all.at(-1);
    if (!last) throw new Error('the event was not stored');
    return last;
  }

  it('replays after lastEventId, then goes live; NOTIFYs during and after the replay count once', async () => {
    const userId = randomUUID();
    const documentId = randomUUID();
    const seen = await stored(userId, documentId);
    const missed = [await stored(userId, documentId), await stored(userId, documentId)];
    const bus = createStatusBus();
    const delivered: string[] = [];
    const stop = new AbortController();
    const listening = statusStream({ orm: database.orm, bus, userId, lastEventId: seen.id }).listen(
      (item) => delivered.push(item.id),
      stop.signal,
    );
    // While the replay's query is in flight: the NOTIFY of an event it will read, and of one stored after.
    const [first] = missed;
    if (!first) throw new Error('unreachable');
    bus.publish(first);
    const later = await stored(userId, documentId);
    bus.publish(later);
    await waitUntil(() => delivered.length === 3);
    expect(delivered).toEqual([...missed.map((event) => event.id), later.id]);

    // The replay's other event's own NOTIFY, late: not again. A new one: delivered at once.
    const [, second] = missed;
    if (!second) throw new Error('unreachable');
    bus.publish(second);
    const live = await stored(userId, documentId);
    bus.publish(live);
    expect(delivered).toEqual([...missed.map((event) => event.id), later.id, live.id]);

    stop.abort();
    await listening;
    expect(bus.listenerCount).toBe(0);
  });

  it('follows one document only, and delivers nothing once stopped', async () => {
    const userId = randomUUID();
    const mine = randomUUID();
    const bus = createStatusBus();
    const delivered: string[] = [];
    const stop = new AbortController();
    const listening = statusStream({ orm: database.orm, bus, userId, documentId: mine }).listen(
      (item) => delivered.push(item.event.documentId),
      stop.signal,
    );
    bus.publish(await stored(userId, randomUUID()));
    bus.publish(await stored(userId, mine));
    bus.publish({ ...(await stored(randomUUID(), mine)), userId: randomUUID() });
    expect(delivered).toEqual([mine]);
    stop.abort();
    await listening;
    bus.publish(await stored(userId, mine));
    expect(delivered).toEqual([mine]);
    expect(bus.listenerCount).toBe(0);

    const already = new AbortController();
    already.abort();
    await statusStream({ orm: database.orm, bus, userId }).listen(
      () => delivered.push('late'),
      already.signal,
    );
    expect(delivered).toEqual([mine]);
  });
});

async function waitUntil(check: () => boolean): Promise<void> {
  for (let tries = 0; tries < 500 && !check(); tries += 1)
    await new Promise((resolve) => setTimeout(resolve, 5));
  if (!check()) throw new Error('timed out');
}
