import { createServer } from 'node:net';

/**
 * Finds a TCP port on 127.0.0.1 that is free right now, for servers that cannot listen on port 0
 * themselves (postgres takes its port on the command line).
 *
 * Another process may take the port before the caller binds it; callers that care retry.
 */
export async function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.unref();
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const address = server.address();
      if (address === null || typeof address === 'string') {
        server.close(() => reject(new Error('free-port: no TCP address')));
        return;
      }
      const { port } = address;
      server.close((err) => (err ? reject(err) : resolve(port)));
    });
  });
}
