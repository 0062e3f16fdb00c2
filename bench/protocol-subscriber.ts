/**
 * A subscriber that speaks tRPC's WebSocket protocol on a bare `ws` socket: connectionParams with
 * the token, one `documents.onStatus` subscription, and per frame one JSON.parse, as the fan-out
 * floor's clients do with theirs. What the service sends is what the typed client gets; what the
 * receiving costs is the same on both sides of the comparison.
 */
import { once } from 'node:events';
import { WebSocket } from 'ws';
import type { Arrivals } from './fanout-floor.ts';

interface Frame {
  id?: number;
  result?: { type: string; data?: { data?: { status?: string; documentId?: string; at?: string } } };
  error?: { message: string };
}

export interface ProtocolSubscriber {
  close(): Promise<void>;
}

export async function subscribeOverProtocol(
  url: string,
  token: string,
  arrivals: Arrivals,
): Promise<ProtocolSubscriber> {
  const address = new URL('/trpc?connectionParams=1', url);
  address.protocol = 'ws:';
  const socket = new WebSocket(address);
  await once(socket, 'open');
  const started = new Promise<void>((resolve, reject) => {
    socket.on('message', (data) => {
      const text = String(data);
      if (text === 'PING') {
        socket.send('PONG');
        return;
      }
      const frame = JSON.parse(text) as Frame;
      if (frame.error) reject(new Error(`subscription failed: ${frame.error.message}`));
      if (frame.result?.type === 'started') resolve();
      const event = frame.result?.data?.data;
      if (event?.status === 'pending' && event.documentId && event.at) {
        arrivals.record(event.documentId, event.at);
      }
    });
  });
  socket.send(JSON.stringify({ method: 'connectionParams', data: { token } }));
  socket.send(
    JSON.stringify({ id: 1, method: 'subscription', params: { path: 'documents.onStatus', input: {} } }),
  );
  await started;
  return {
    async close() {
      if (socket.readyState === WebSocket.CLOSED) return;
      const closed = once(socket, 'close');
      socket.close();
      await closed;
    },
  };
}
