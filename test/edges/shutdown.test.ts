import { once } from 'node:events';
import { StreamBody, uploadDocument } from '@docstore/contract';
import pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import WebSocket from 'ws';
import { MiB, slowStream } from '../support/bytes.ts';
import { errorOf, metadataClient, tokenFor, unique } from '../support/metadata.ts';
import { startPrivateStack } from '../support/stack.ts';

describe('graceful shutdown (SIGTERM)', () => {
  let stack: Awaited<ReturnType<typeof startPrivateStack>>;
  let db: pg.Client;

  beforeAll(async () => {
    stack = await startPrivateStack({ metadata: { SHUTDOWN_GRACE_SECONDS: '2' } });
    db = new pg.Client({ connectionString: stack.databaseUrl });
    await db.connect();
  });
  afterAll(async () => {
    console.log(
      'DEBUG\n' +
        stack.metadata.logs
          .filter((l) => !l.includes('migrator'))
          .concat(String(stack.metadata.child.exitCode), String(stack.metadata.child.signalCode))
          .join('\n'),
    );
    await db.end();
    await stack.stop();
  });

  it('readyz 503 at once, new calls refused, a call that finishes in the grace period succeeds, an upload past it fails typed, subscribers get 1012, exit 0', async () => {
    const { metadata } = stack;
    const client = await metadataClient({ url: metadata.url });
    const token = await tokenFor();

    // A subscriber on a raw socket, to see the close code and reason.
    const socket = new WebSocket(`${metadata.url.replace('http:', 'ws:')}/trpc?connectionParams=1`);
    await once(socket, 'open');
    socket.send(JSON.stringify({ method: 'connectionParams', data: { token } }));
    socket.send(
      JSON.stringify({ id: 1, method: 'subscription', params: { path: 'documents.onStatus', input: {} } }),
    );
    const closed = once(socket, 'close') as Promise<[number, Buffer]>;

    // Runs ~2.1 s: finishes inside the grace period (2 s from SIGTERM, sent as it starts).
    const shortName = unique('short');
    const short = uploadDocument(
      client,
      { name: shortName, size: 3 * MiB },
      new StreamBody(slowStream(3, 700), 3 * MiB),
    );
    short.catch(() => {});
    // Runs ~60 s: still streaming when the grace period is over.
    const longName = unique('long');
    const long = errorOf(
      uploadDocument(
        client,
        { name: longName, size: 60 * MiB },
        new StreamBody(slowStream(60, 1000), 60 * MiB),
      ),
    );
    // SIGTERM once both are in flight: their rows exist.
    for (;;) {
      const { rows } = await db.query('select 1 from documents where name = any($1)', [
        [shortName, longName],
      ]);
      if (rows.length === 2) break;
      await new Promise((resolve) => setTimeout(resolve, 50));
    }

    const exited = once(metadata.child, 'exit') as Promise<[number | null, string | null]>;
    metadata.child.kill('SIGTERM');
    await new Promise((resolve) => setTimeout(resolve, 200));
    expect((await fetch(`${metadata.url}/readyz`)).status).toBe(503);
    expect(await errorOf(client.topics.list.query())).toMatchObject({ appCode: 'SERVICE_UNAVAILABLE' });

    const [code, reason] = await closed;
    expect(code).toBe(1012);
    expect(reason.toString()).toMatch(/shutting down/);

    expect(await short).toMatchObject({ status: 'ready', size: 3 * MiB });
    expect(await long).toMatchObject({ appCode: 'SERVICE_UNAVAILABLE', message: 'the server shut down' });
    const rows = await db.query<{ status: string; failure_reason: string }>(
      'select status, failure_reason from documents where name = $1',
      [longName],
    );
    expect(rows.rows).toEqual([{ status: 'failed', failure_reason: 'the server shut down' }]);
    expect(await exited).toEqual([0, null]);
  });
});
