import { once } from 'node:events';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { liveFeed } from '@docstore/contract';
import { createTRPCClient, createWSClient, wsLink } from '@trpc/client';
import { initTRPC, TRPCError, tracked } from '@trpc/server';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { WebSocket } from 'ws';
import { z } from 'zod';
import { createLogger } from './logger.ts';
import { attachWebSocket, type WebSocketEndpoint } from './websocket.ts';

interface Ctx {
  user: string | null;
}

/** Events published to every running feed; what each feed's run saw of its stop. */
const listeners = new Set<(event: { id: string; payload: object }) => void>();
const runs: Array<{ input: unknown; stopped: boolean }> = [];

const t = initTRPC.context<Ctx>().create();
const router = t.router({
  whoami: t.procedure.query(({ ctx }) => ({ user: ctx.user })),
  double: t.procedure.input(z.object({ n: z.number() })).mutation(({ input }) => input.n * 2),
  missing: t.procedure.query(() => {
    throw new TRPCError({ code: 'NOT_FOUND', message: 'no such thing' });
  }),
  events: t.procedure.input(z.object({ lastEventId: z.string().optional() })).subscription(({ input }) =>
    liveFeed(async (deliver, signal) => {
      const run = { input, stopped: false };
      runs.push(run);
      const listener = (event: { id: string; payload: object }) => deliver(tracked(event.id, event.payload));
      listeners.add(listener);
      await new Promise<void>((resolve) => signal.addEventListener('abort', () => resolve(), { once: true }));
      listeners.delete(listener);
      run.stopped = true;
    }),
  ),
  failing: t.procedure.subscription(() =>
    liveFeed(async (deliver) => {
      deliver(tracked('1', { n: 1 }));
      throw new TRPCError({ code: 'CONFLICT', message: 'the feed broke' });
    }),
  ),
  notAFeed: t.procedure.subscription(async function* () {
    yield 1;
  }),
});

let server: Server;
let endpoint: WebSocketEndpoint;
/** The send buffer this suite's server allows a socket (small, so a test can exceed it). */
const MAX_BUFFERED_BYTES = 256 * 1024;
let url: string;
const logged: string[] = [];

beforeAll(async () => {
  server = createServer();
  endpoint = attachWebSocket(server, {
    router,
    logger: createLogger('test', (line) => logged.push(line)),
    maxBatchSize: 2,
    maxBufferedBytes: MAX_BUFFERED_BYTES,
    createContext: async ({ connectionParams }) => {
      if (connectionParams?.token === 'bad')
        throw new TRPCError({ code: 'UNAUTHORIZED', message: 'bad token' });
      return { user: connectionParams?.token ?? null };
    },
  });
  server.listen(0, '127.0.0.1');
  await once(server, 'listening');
  url = `ws://127.0.0.1:${(server.address() as AddressInfo).port}/trpc`;
});

afterAll(async () => {
  await endpoint.close();
  server.close();
});

/** A bare socket that collects every frame as parsed JSON. */
async function rawSocket(query = '') {
  const socket = new WebSocket(`${url}${query}`);
  const frames: Array<Record<string, unknown>> = [];
  /** Binary frames: a browser hands those to tRPC's client as a Blob, which it cannot parse. */
  let binaryFrames = 0;
  socket.on('message', (data, isBinary) => {
    if (isBinary) binaryFrames += 1;
    frames.push(JSON.parse(String(data)) as Record<string, unknown>);
  });
  await once(socket, 'open');
  const waitFor = async (test: (frame: Record<string, unknown>) => boolean) => {
    for (let tries = 0; tries < 200; tries += 1) {
      const found = frames.find(test);
      if (found) return found;
      await new Promise((resolve) => setTimeout(resolve, 10));
    }
    throw new Error(`no such frame among ${JSON.stringify(frames)}`);
  };
  return {
    socket,
    frames,
    waitFor,
    binaryFrames: () => binaryFrames,
    send: (message: unknown) => socket.send(JSON.stringify(message)),
  };
}

const until = async (check: () => boolean) => {
  for (let tries = 0; tries < 200 && !check(); tries += 1) await new Promise((r) => setTimeout(r, 10));
  expect(check()).toBe(true);
};

describe('serveSocketCalls', () => {
  it('writes one tracked event to every subscriber with its own id, serialising the event once', async () => {
    const sockets = await Promise.all([rawSocket(), rawSocket(), rawSocket(), rawSocket()]);
    // Two subscribers number their subscription alike (typed clients all start at 1): same bytes.
    const ids = [10, 11, 12, 10];
    for (const [index, { send }] of sockets.entries()) {
      send({ id: ids[index], method: 'subscription', params: { path: 'events', input: {} } });
    }
    for (const { waitFor } of sockets)
      await waitFor((frame) => (frame.result as { type?: string })?.type === 'started');
    let serialised = 0;
    const payload = {
      documentId: 'd1',
      toJSON() {
        serialised += 1;
        return { documentId: 'd1' };
      },
    };
    for (const listener of listeners) listener({ id: '42', payload });
    for (const [index, { waitFor }] of sockets.entries()) {
      const frame = await waitFor((candidate) => (candidate.result as { type?: string })?.type === 'data');
      expect(frame).toEqual({
        id: ids[index],
        result: { type: 'data', id: '42', data: { id: '42', data: { documentId: 'd1' } } },
      });
    }
    expect(serialised).toBe(1);
    for (const { binaryFrames } of sockets) expect(binaryFrames()).toBe(0);
    for (const { socket } of sockets) socket.close();
    await until(() => listeners.size === 0);
  });

  it('a stop ends the feed and answers stopped; a closed socket ends its feeds', async () => {
    const { send, waitFor, socket } = await rawSocket();
    const before = runs.length;
    send({ id: 1, method: 'subscription', params: { path: 'events', input: {} } });
    send({ id: 2, method: 'subscription', params: { path: 'events', input: {}, lastEventId: '7' } });
    await waitFor((frame) => frame.id === 2 && (frame.result as { type?: string })?.type === 'started');
    expect(runs[before + 1]?.input).toEqual({ lastEventId: '7' });
    send({ id: 1, method: 'subscription.stop' });
    await waitFor((frame) => frame.id === 1 && (frame.result as { type?: string })?.type === 'stopped');
    expect(runs[before]?.stopped).toBe(true);
    expect(runs[before + 1]?.stopped).toBe(false);
    socket.terminate();
    await until(() => runs[before + 1]?.stopped === true);
  });

  it('a feed that fails: its items, then the error in tRPC shape, then stopped', async () => {
    const { send, waitFor } = await rawSocket();
    send({ id: 5, method: 'subscription', params: { path: 'failing' } });
    const error = await waitFor((frame) => frame.id === 5 && 'error' in frame);
    expect(error.error).toMatchObject({
      message: 'the feed broke',
      data: { code: 'CONFLICT', httpStatus: 409 },
    });
    await waitFor((frame) => frame.id === 5 && (frame.result as { type?: string })?.type === 'stopped');
    send({ id: 6, method: 'subscription', params: { path: 'notAFeed' } });
    const internal = await waitFor((frame) => frame.id === 6 && 'error' in frame);
    expect(internal.error).toMatchObject({ data: { code: 'INTERNAL_SERVER_ERROR' } });
  });

  it('malformed messages, unknown ids and batches over the limit get typed errors', async () => {
    const { socket, send, waitFor, frames } = await rawSocket();
    socket.send('{not json');
    const parse = await waitFor((frame) => frame.id === null);
    expect(parse.error).toMatchObject({ data: { code: 'PARSE_ERROR' } });
    send([
      { id: 1, method: 'query', params: { path: 'whoami' } },
      { id: 2, method: 'query', params: { path: 'whoami' } },
      { id: 3, method: 'query', params: { path: 'whoami' } },
    ]);
    await until(() => frames.filter((frame) => typeof frame.id === 'number').length === 3);
    for (const frame of frames.filter((candidate) => typeof candidate.id === 'number')) {
      expect(frame.error).toMatchObject({
        message: 'Batch call exceeds maximum size',
        data: { code: 'BAD_REQUEST' },
      });
    }
  });

  it('the typed client: connectionParams reach the context; queries, mutations, errors, subscriptions', async () => {
    const wsClient = createWSClient({
      url,
      WebSocket: WebSocket as unknown as typeof globalThis.WebSocket,
      connectionParams: { token: 'ada' },
    });
    const client = createTRPCClient<typeof router>({ links: [wsLink({ client: wsClient })] });
    try {
      expect(await client.whoami.query()).toEqual({ user: 'ada' });
      expect(await client.double.mutate({ n: 21 })).toBe(42);
      await expect(client.missing.query()).rejects.toMatchObject({ data: { code: 'NOT_FOUND' } });
      const received: unknown[] = [];
      const subscription = client.events.subscribe({}, { onData: (data) => received.push(data) });
      await until(() => listeners.size === 1);
      for (const listener of listeners) listener({ id: '1', payload: { n: 1 } });
      for (const listener of listeners) listener({ id: '2', payload: { n: 2 } });
      await until(() => received.length === 2);
      expect(received).toEqual([
        { id: '1', data: { n: 1 } },
        { id: '2', data: { n: 2 } },
      ]);
      subscription.unsubscribe();
      await until(() => listeners.size === 0);
    } finally {
      await wsClient.close();
    }
  });

  it('a subscriber that stops reading is cut once its send buffer passes the limit; one that reads is not', async () => {
    const reader = await rawSocket();
    const stalled = await rawSocket();
    for (const { send } of [reader, stalled])
      send({ id: 1, method: 'subscription', params: { path: 'events', input: {} } });
    for (const { waitFor } of [reader, stalled])
      await waitFor((frame) => (frame.result as { type?: string })?.type === 'started');
    // The stalled client stops reading: what the server sends piles up in the kernel, then in ws.
    const stalledTcp = (stalled.socket as unknown as { _socket: { pause(): void; resume(): void } })._socket;
    stalledTcp.pause();
    const text = 'x'.repeat(64 * 1024);
    // Far more than loopback's socket buffers hold (a few MiB), paced so the reader keeps up.
    for (let event = 0; event < 320; event += 1) {
      for (const listener of listeners) listener({ id: String(event), payload: { text } });
      if (event % 16 === 15) await new Promise((resolve) => setTimeout(resolve, 5));
    }
    // The server let the stalled one go (its feed ended), and says so in its log.
    await until(() => listeners.size === 1);
    expect(logged.some((line) => line.includes('did not read its events'))).toBe(true);
    const stalledClosed = once(stalled.socket, 'close');
    stalledTcp.resume();
    await stalledClosed;
    await until(() => reader.frames.filter((frame) => frame.id === 1).length === 321);
    expect(reader.socket.readyState).toBe(WebSocket.OPEN);
    reader.socket.close();
    await until(() => listeners.size === 0);
  });

  it('a context that fails: every call gets its error and the socket closes', async () => {
    const { send, waitFor, socket } = await rawSocket('?connectionParams=1');
    const closed = once(socket, 'close');
    send({ method: 'connectionParams', data: { token: 'bad' } });
    const failure = await waitFor((frame) => frame.id === null);
    expect(failure.error).toMatchObject({ message: 'bad token', data: { code: 'UNAUTHORIZED' } });
    await closed;
    expect(logged.some((line) => line.includes('bad token'))).toBe(true);
  });
});
