import type { AddressInfo } from 'node:net';
import { DocstoreError, initDocstoreTRPC } from '@docstore/contract';
import { createHttpServer, createLogger } from '@docstore/server-kit';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { z } from 'zod';

// The metadata service's error formatter (initDocstoreTRPC) on a small router: each outcome a query
// can have, to compare server-kit's JSON query path with tRPC's fetch adapter byte for byte.
interface Context {
  headers: Headers;
  calls: string[];
}
const t = initDocstoreTRPC<Context>();
const router = t.router({
  page: t.procedure.input(z.object({ limit: z.number().int().min(1).max(100) })).query(({ input }) => ({
    items: Array.from({ length: input.limit }, (_, i) => ({ id: i, name: `doc ${i}` })),
  })),
  missing: t.procedure.input(z.object({ id: z.uuid() })).query(({ input }) => {
    throw new DocstoreError('NOT_FOUND', `document ${input.id} not found`);
  }),
  broken: t.procedure.query(() => {
    throw new Error('relation "secret_table" does not exist at /srv/app.ts:12');
  }),
  plain: t.procedure.query(() => 'hello'),
  nothing: t.procedure.query(() => undefined),
  rename: t.procedure.input(z.object({ name: z.string() })).mutation(({ input }) => input.name),
});

const silent = createLogger('test', { level: 'silent' });

async function start(fastQueries: boolean, observed: string[]) {
  const server = createHttpServer({
    router,
    logger: silent,
    fastQueries,
    maxBatchSize: 5,
    trustRequestId: () => true,
    createContext: async ({ req }) => {
      if (req.headers.get('x-fail-context')) throw new Error('context failed');
      return { headers: req.headers, calls: observed };
    },
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return { server, url: `http://127.0.0.1:${(server.address() as AddressInfo).port}` };
}

describe('JSON queries served without the fetch adapter', () => {
  let fast: Awaited<ReturnType<typeof start>>;
  let slow: Awaited<ReturnType<typeof start>>;
  beforeAll(async () => {
    fast = await start(true, []);
    slow = await start(false, []);
  });
  afterAll(() => {
    fast.server.close();
    slow.server.close();
  });

  const get = async (base: string, path: string, headers: Record<string, string> = {}) => {
    const response = await fetch(`${base}/trpc/${path}`, {
      headers: { 'x-request-id': 'req-fixed-1', ...headers },
    });
    return {
      status: response.status,
      body: await response.text(),
      contentType: response.headers.get('content-type'),
      vary: response.headers.get('vary'),
      requestId: response.headers.get('x-request-id'),
      length: response.headers.get('content-length'),
    };
  };
  const input = (value: unknown) => encodeURIComponent(JSON.stringify(value));
  const cases: Array<[string, string, Record<string, string>?]> = [
    ['success', `page?input=${input({ limit: 3 })}`],
    ['no input', 'plain'],
    ['undefined result', 'nothing'],
    ['NOT_FOUND', `missing?input=${input({ id: '6f1c7a51-0f0e-4b7e-9c55-0d4f2f1f6a11' })}`],
    ['BAD_REQUEST with zod field errors', `page?input=${input({ limit: 0 })}`],
    ['INTERNAL with the request id', 'broken'],
    ['a failing context', 'plain', { 'x-fail-context': '1' }],
    ['a batch of one', `page?batch=1&input=${input({ 0: { limit: 2 } })}`],
    [
      'a mixed batch (207)',
      `page,missing,broken,plain?batch=1&input=${input({ 0: { limit: 1 }, 1: { id: 'not-a-uuid' } })}`,
    ],
    ['a batch of errors with one status', `broken,broken?batch=1&input=${input({})}`],
  ];

  it.each(cases)('%s: the same status and bytes on both paths', async (_name, path, headers) => {
    const [a, b] = [await get(fast.url, path, headers), await get(slow.url, path, headers)];
    expect({ ...a, length: null }).toEqual({ ...b, length: null });
    // The query path answered it (with a known length; the fetch adapter streams it chunked).
    expect(a.length).toBe(String(Buffer.byteLength(a.body)));
    expect(b.length).toBeNull();
  });

  it('shows no internals and names the request in an INTERNAL error', async () => {
    const { body, status } = await get(fast.url, 'broken');
    expect(status).toBe(500);
    expect(body).not.toContain('secret_table');
    expect(JSON.parse(body).error.message).toBe('internal error (request req-fixed-1)');
  });

  const fallbacks: Array<[string, string]> = [
    ['an unknown procedure', 'nope'],
    ['a mutation over GET', `rename?input=${input({ name: 'x' })}`],
    ['malformed input JSON', 'page?input=%7Bnot-json'],
    ['a batch over the limit', `plain,plain,plain,plain,plain,plain?batch=1`],
    ['a batch input that is not an object', `page?batch=1&input=${input([{ limit: 1 }])}`],
  ];
  it.each(fallbacks)('leaves %s to the fetch adapter, with its exact error', async (_name, path) => {
    const [a, b] = [await get(fast.url, path), await get(slow.url, path)];
    expect(a).toEqual(b);
    expect(a.status).toBeGreaterThanOrEqual(400);
  });
});
