import type { AddressInfo } from 'node:net';
import { connect, createServer, type Socket } from 'node:net';

export interface TcpRelay {
  url: string;
  port: number;
  /** Destroys every open connection, as a network drop would; new ones still go through. */
  cut(): void;
  close(): Promise<void>;
}

/**
 * A TCP relay on 127.0.0.1 to a local port, for tests and benchmarks: connections a test can cut,
 * and optionally at most `bytesPerSecond` flowing towards the target (a slow server: the relay stops
 * reading, and TCP backpressure reaches the sender).
 */
export async function startTcpRelay(
  targetPort: number,
  options: { bytesPerSecond?: number } = {},
): Promise<TcpRelay> {
  const sockets = new Set<Socket>();
  const server = createServer((client) => {
    const upstream = connect(targetPort, '127.0.0.1');
    for (const socket of [client, upstream]) {
      sockets.add(socket);
      socket.on('close', () => sockets.delete(socket));
      socket.on('error', () => {
        client.destroy();
        upstream.destroy();
      });
    }
    upstream.pipe(client);
    const limit = options.bytesPerSecond;
    if (limit === undefined) {
      client.pipe(upstream);
      return;
    }
    let sent = 0;
    let windowStart = Date.now();
    client.on('data', (chunk: Buffer) => {
      upstream.write(chunk);
      const now = Date.now();
      if (now - windowStart >= 1000) {
        windowStart = now;
        sent = 0;
      }
      sent += chunk.length;
      if (sent < limit) return;
      // This second's budget is spent: stop reading until the second is over.
      client.pause();
      setTimeout(
        () => {
          windowStart = Date.now();
          sent = 0;
          client.resume();
        },
        1000 - (now - windowStart),
      );
    });
    client.on('end', () => upstream.end());
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const port = (server.address() as AddressInfo).port;
  const cut = () => {
    for (const socket of sockets) socket.destroy();
  };
  return {
    url: `http://127.0.0.1:${port}`,
    port,
    cut,
    close() {
      cut();
      return new Promise((resolve) => server.close(() => resolve()));
    },
  };
}
