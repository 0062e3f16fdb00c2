/**
 * The idle-subscription memory floor: `count` sockets, one tRPC client and one trivial subscription
 * each, on bench/floor-trpc-ws-server.ts; the server's memory (after a full GC) before and after.
 */
import { startBuiltProcess } from '@docstore/devstack';
import { createTRPCClient, createWSClient, wsLink } from '@trpc/client';
import { WebSocket } from 'ws';
import type { FloorRouter } from './floor-trpc-ws-server.ts';
import { sleep } from './measure.ts';
import { benchFile, SERVICE_HOOK, type ServiceMemory, serviceMemory } from './stack.ts';

export async function trpcWsFloorMemory(
  count: number,
  batch: number,
): Promise<{ before: ServiceMemory; after: ServiceMemory }> {
  const server = await startBuiltProcess(benchFile('floor-trpc-ws-server.ts'), 'tRPC ws floor', {
    NODE_OPTIONS: `${process.env.NODE_OPTIONS ?? ''} --import ${SERVICE_HOOK}`.trim(),
  });
  const clients: Array<{ close(): Promise<void>; unsubscribe(): void }> = [];
  try {
    // A warm-up socket, so the first connection's one-off costs are not counted (as for the service).
    const open = async () => {
      const wsClient = createWSClient({
        url: `ws://127.0.0.1:${server.port}`,
        WebSocket: WebSocket as unknown as typeof globalThis.WebSocket,
      });
      const client = createTRPCClient<FloorRouter>({ links: [wsLink({ client: wsClient })] });
      await new Promise<void>((resolve, reject) => {
        const subscription = client.idle.subscribe(undefined, {
          onStarted: () => resolve(),
          onError: (error) => reject(error),
        });
        clients.push({ close: () => wsClient.close(), unsubscribe: () => subscription.unsubscribe() });
      });
    };
    await open();
    await sleep(500);
    const before = await serviceMemory(server);
    for (let opened = 0; opened < count; opened += batch) {
      await Promise.all(Array.from({ length: Math.min(batch, count - opened) }, open));
    }
    await sleep(1_000);
    const after = await serviceMemory(server);
    return { before, after };
  } finally {
    for (const client of clients) client.unsubscribe();
    await Promise.all(clients.map((client) => client.close().catch(() => {})));
    await server.stop();
  }
}
