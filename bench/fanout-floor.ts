/**
 * The floor side of the status fan-out scenario: bare `ws` clients of bench/floor-fanout-server.ts,
 * and the trigger, the very statement the service's `recordStatus` runs (insert a status_events row
 * and pg_notify it as JSON), on the floor's channel.
 */
import { once } from 'node:events';
import { type ServiceProcess, startBuiltProcess } from '@docstore/devstack';
import pg from 'pg';
import { WebSocket } from 'ws';
import { benchFile, SERVICE_HOOK, type ServiceMemory, serviceMemory } from './stack.ts';

export const FANOUT_CHANNEL = 'bench_fanout';

/** Arrival times (epoch ms, sub-millisecond) of each event, by document, one per subscriber. */
export class Arrivals {
  readonly byDocument = new Map<string, { at: number; times: number[] }>();

  record(documentId: string, at: string): void {
    const time = performance.timeOrigin + performance.now();
    let entry = this.byDocument.get(documentId);
    if (!entry) {
      entry = { at: Date.parse(at), times: [] };
      this.byDocument.set(documentId, entry);
    }
    entry.times.push(time);
  }

  count(documentId: string): number {
    return this.byDocument.get(documentId)?.times.length ?? 0;
  }
}

export interface FanoutFloor {
  /** Commits one event; resolves with its document id. */
  trigger(): Promise<string>;
  arrivals: Arrivals;
  /** The floor server's memory (after a full GC) before and after its sockets connected. */
  memory: { before: ServiceMemory; after: ServiceMemory };
  close(): Promise<void>;
}

export async function startFanoutFloor(
  databaseUrl: string,
  subscribers: number,
  batch: number,
): Promise<FanoutFloor> {
  const server: ServiceProcess = await startBuiltProcess(
    benchFile('floor-fanout-server.ts'),
    'fan-out floor',
    {
      DATABASE_URL: databaseUrl,
      FANOUT_CHANNEL,
      NODE_OPTIONS: `${process.env.NODE_OPTIONS ?? ''} --import ${SERVICE_HOOK}`.trim(),
    },
  );
  const arrivals = new Arrivals();
  const sockets: WebSocket[] = [];
  const db = new pg.Client({ connectionString: databaseUrl });
  const userId = crypto.randomUUID();
  let memory: FanoutFloor['memory'];
  try {
    await db.connect();
    const before = await serviceMemory(server);
    for (let opened = 0; opened < subscribers; opened += batch) {
      const count = Math.min(batch, subscribers - opened);
      const opening = Array.from({ length: count }, () => {
        const socket = new WebSocket(`ws://127.0.0.1:${server.port}`);
        socket.on('message', (data) => {
          const row = JSON.parse(String(data)) as { document_id: string; at: string };
          arrivals.record(row.document_id, row.at);
        });
        sockets.push(socket);
        return once(socket, 'open');
      });
      await Promise.all(opening);
    }
    await new Promise((resolve) => setTimeout(resolve, 1_000));
    memory = { before, after: await serviceMemory(server) };
  } catch (error) {
    for (const socket of sockets) socket.terminate();
    await db.end().catch(() => {});
    await server.stop();
    throw error;
  }
  return {
    arrivals,
    memory,
    async trigger() {
      const documentId = crypto.randomUUID();
      await db.query(
        `with inserted as (
           insert into status_events (user_id, document_id, status, received_bytes, total_bytes, error, at)
           values ($1, $2, 'pending', 0, 1, null, $3)
           returning id::text as id, user_id, document_id, status, received_bytes, total_bytes, error, at)
         select pg_notify('${FANOUT_CHANNEL}', row_to_json(inserted)::text) from inserted`,
        [userId, documentId, new Date()],
      );
      return documentId;
    },
    async close() {
      await Promise.all(
        sockets.map((socket) => {
          if (socket.readyState === WebSocket.CLOSED) return undefined;
          const closed = once(socket, 'close');
          socket.close();
          return closed;
        }),
      );
      await db.end();
      await server.stop();
    },
  };
}
