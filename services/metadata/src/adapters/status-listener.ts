import type { Logger } from '@docstore/server-kit';
import type { MikroORM } from '@mikro-orm/postgresql';
import pg from 'pg';
import { type DatabaseTimeouts, pgTimeoutOptions } from '../db/orm-config.ts';
import type { StatusBus } from '../domain/status/status-bus.ts';
import {
  latestStatusEventId,
  parseNotification,
  STATUS_CHANNEL,
  statusEventsAfter,
} from '../domain/status/status-store.ts';

const RECONNECT_MS = 1_000;
const CATCH_UP_BATCH = 1_000;

export interface StatusListener {
  close(): Promise<void>;
}

/**
 * One LISTEN connection per instance, feeding the bus with every instance's events. When the
 * connection drops it reconnects and first publishes what was stored meanwhile, so subscribers of
 * this instance miss nothing.
 */
export async function startStatusListener(options: {
  databaseUrl: string;
  orm: MikroORM;
  bus: StatusBus;
  logger: Logger;
  timeouts: DatabaseTimeouts;
}): Promise<StatusListener> {
  const { orm, bus, logger } = options;
  let lastSeen = await latestStatusEventId(orm.em.fork());
  let client: pg.Client | undefined;
  let closed = false;
  let retry: NodeJS.Timeout | undefined;

  const publish = (payload: string) => {
    const stored = parseNotification(payload);
    if (BigInt(stored.id) > BigInt(lastSeen)) lastSeen = stored.id;
    bus.publish(stored);
  };

  const catchUp = async () => {
    for (;;) {
      const missed = await statusEventsAfter(orm.em.fork(), {}, lastSeen, CATCH_UP_BATCH);
      for (const stored of missed) {
        lastSeen = stored.id;
        bus.publish(stored);
      }
      if (missed.length < CATCH_UP_BATCH) return;
    }
  };

  const connect = async (): Promise<void> => {
    const next = new pg.Client({
      connectionString: options.databaseUrl,
      ...pgTimeoutOptions(options.timeouts),
    });
    next.on('notification', (message) => {
      if (message.channel === STATUS_CHANNEL && message.payload) publish(message.payload);
    });
    const reconnect = (error?: Error) => {
      if (closed || client !== next) return;
      client = undefined;
      logger.warn('status listener lost its connection; reconnecting', { error: error?.message });
      next.end().catch(() => {});
      retry = setTimeout(() => void connectWithRetry(), RECONNECT_MS);
    };
    next.on('error', reconnect);
    next.on('end', () => reconnect());
    await next.connect();
    await next.query(`LISTEN ${STATUS_CHANNEL}`);
    client = next;
    await catchUp();
  };

  const connectWithRetry = async () => {
    try {
      await connect();
    } catch (error) {
      if (closed) return;
      logger.warn('status listener cannot connect yet', { error: (error as Error).message });
      retry = setTimeout(() => void connectWithRetry(), RECONNECT_MS);
    }
  };

  await connect();
  return {
    async close() {
      closed = true;
      clearTimeout(retry);
      await client?.end();
    },
  };
}
