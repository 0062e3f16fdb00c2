import { createTRPCClient, TRPCClientError, type TRPCLink } from '@trpc/client';
import { initTRPC } from '@trpc/server';
import { observable } from '@trpc/server/observable';
import { describe, expect, it } from 'vitest';
import { z } from 'zod';
import { coalescingLink } from './coalescing-link.ts';

const t = initTRPC.create();
const router = t.router({ echo: t.procedure.input(z.string()).query(({ input }) => input) });
type Router = typeof router;

/** A terminating link that answers every call with its input and records which link carried it. */
function recordingLink(name: string, log: string[]): TRPCLink<Router> {
  return () =>
    ({ op }) =>
      observable((observer) => {
        if (op.signal?.aborted) {
          observer.error(TRPCClientError.from(new Error('aborted')));
          return;
        }
        log.push(`${name}:${String(op.input)}`);
        observer.next({ result: { type: 'data', data: op.input } });
        observer.complete();
      });
}

function client(log: string[]) {
  return createTRPCClient<Router>({
    links: [coalescingLink({ single: recordingLink('single', log), batch: recordingLink('batch', log) })],
  });
}

describe('coalescingLink', () => {
  it('sends a lone call over the single link', async () => {
    const log: string[] = [];
    expect(await client(log).echo.query('a')).toBe('a');
    expect(log).toEqual(['single:a']);
  });

  it('batches calls issued together, and a later lone call goes alone again', async () => {
    const log: string[] = [];
    const trpc = client(log);
    expect(await Promise.all([trpc.echo.query('a'), trpc.echo.query('b'), trpc.echo.query('c')])).toEqual([
      'a',
      'b',
      'c',
    ]);
    expect(await trpc.echo.query('d')).toBe('d');
    expect(log).toEqual(['batch:a', 'batch:b', 'batch:c', 'single:d']);
  });

  it('does not batch a lone call with one aborted before it was sent', async () => {
    const log: string[] = [];
    const trpc = client(log);
    const aborted = new AbortController();
    const gone = trpc.echo.query('a', { signal: aborted.signal });
    aborted.abort();
    const [first, second] = await Promise.allSettled([gone, trpc.echo.query('b')]);
    expect(first.status).toBe('rejected');
    expect(second).toEqual({ status: 'fulfilled', value: 'b' });
    expect(log).toEqual(['single:b']);
  });
});
