/**
 * The memory floor of an idle subscription: a minimal tRPC WebSocket server (tRPC + `ws` +
 * `applyWSSHandler`, no auth, no context) whose one procedure is a trivial subscription that yields
 * nothing until it is ended. What one socket holding one tRPC subscription costs the engine itself,
 * measured in the same run as the service (issue 12).
 *
 * Preload bench/service-hook.mjs to read its memory after a full GC. Prints
 * `{"message":"listening","port":N}` once it listens on 127.0.0.1 (port 0).
 */
import { initTRPC } from '@trpc/server';
import { applyWSSHandler } from '@trpc/server/adapters/ws';
import { WebSocketServer } from 'ws';

const t = initTRPC.create();
export const floorRouter = t.router({
  idle: t.procedure.subscription(async function* ({ signal }) {
    // Holds the subscription open and idle until the client ends it or the socket closes.
    await new Promise<void>((resolve) => signal?.addEventListener('abort', () => resolve(), { once: true }));
    yield* [];
  }),
});
export type FloorRouter = typeof floorRouter;

const wss = new WebSocketServer({ host: '127.0.0.1', port: 0 });
await new Promise<void>((resolve) => wss.once('listening', () => resolve()));
const handler = applyWSSHandler({ wss, router: floorRouter });
const address = wss.address();
process.stdout.write(
  `${JSON.stringify({ message: 'listening', port: typeof address === 'object' && address ? address.port : 0 })}\n`,
);

const stop = () => {
  handler.broadcastReconnectNotification();
  for (const client of wss.clients) client.terminate();
  wss.close();
  process.exit(0);
};
process.once('SIGTERM', stop);
process.once('SIGINT', stop);
