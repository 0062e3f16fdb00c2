import type { AddressInfo } from 'node:net';
import { connect, createServer, type Socket } from 'node:net';

/**
 * A TCP relay that lets at most `bytesPerSecond` flow towards the target: a slow S3 server, for
 * measuring what a slow consumer does to the services' memory.
 */
export async function startThrottleProxy(
  targetPort: number,
  bytesPerSecond: number,
): Promise<{ url: string; close(): Promise<void> }> {
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
    let allowance = 0;
    let windowStart = Date.now();
    client.on('data', (chunk: Buffer) => {
      upstream.write(chunk);
      const now = Date.now();
      if (now - windowStart >= 1000) {
        windowStart = now;
        allowance = 0;
      }
      allowance += chunk.length;
      if (allowance >= bytesPerSecond) {
        // Budget spent: stop reading (TCP backpressure reaches the sender) until the second is over.
        client.pause();
        setTimeout(
          () => {
            windowStart = Date.now();
            allowance = 0;
            client.resume();
          },
          1000 - (now - windowStart),
        );
      }
    });
    client.on('end', () => upstream.end());
    upstream.pipe(client);
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return {
    url: `http://127.0.0.1:${(server.address() as AddressInfo).port}`,
    close() {
      for (const socket of sockets) socket.destroy();
      return new Promise((resolve) => server.close(() => resolve()));
    },
  };
}
