import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createMetadataClient, DEFAULT_MAX_BATCH_ITEMS } from './client.ts';

/**
 * Calls issued together go in batches of at most DEFAULT_MAX_BATCH_ITEMS (8): the server (whose pool
 * holds 10 connections) works on several batches while the client reads the answers of others. One
 * batch of 32 made client, server and database take turns: `pnpm bench`'s 32-in-flight figures
 * rose from ~0.75x to ~0.9x of the floor with batches of 8.
 */
describe('createMetadataClient batching', () => {
  let server: Server;
  let url = '';
  const batches: number[] = [];

  beforeAll(async () => {
    // A stand-in answering every call of a batched GET of topics.counts with {} (tRPC's batch shape).
    server = createServer((req, res) => {
      const path = new URL(req.url ?? '/', 'http://localhost').pathname.replace('/trpc/', '');
      const calls = path.split(',').length;
      batches.push(calls);
      const body = JSON.stringify(Array.from({ length: calls }, () => ({ result: { data: {} } })));
      res.writeHead(200, { 'content-type': 'application/json' }).end(body);
    });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  });

  afterAll(() => new Promise<void>((resolve) => server.close(() => resolve())));

  it('splits 20 calls issued together into batches of at most 8', async () => {
    expect(DEFAULT_MAX_BATCH_ITEMS).toBe(8);
    const client = createMetadataClient({ url, onContractMismatch: 'ignore' });
    batches.length = 0;
    const answers = await Promise.all(Array.from({ length: 20 }, () => client.topics.counts.query()));
    expect(answers).toHaveLength(20);
    expect(batches.sort((a, b) => b - a)).toEqual([8, 8, 4]);
  });
});
