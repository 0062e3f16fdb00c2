import { randomUUID } from 'node:crypto';
import type { MetadataRouter } from '@docstore/contract';
import { createTRPCClient, createWSClient, TRPCClientError, wsLink } from '@trpc/client';
import pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { WebSocket } from 'ws';
import { tokenFor, unique } from '../support/metadata.ts';
import { startPrivateStack } from '../support/stack.ts';

/** The JSON log lines of a service that carry `requestId`. */
function linesOf(logs: string[], requestId: string): Array<Record<string, unknown>> {
  return logs
    .filter((line) => line.startsWith('{'))
    .map((line) => JSON.parse(line) as Record<string, unknown>)
    .filter((entry) => entry.requestId === requestId);
}

/** Log lines are written as events happen; the access line lands when the response closed. */
async function eventually<T>(read: () => T, accept: (value: T) => boolean, ms = 3_000): Promise<T> {
  const until = Date.now() + ms;
  for (;;) {
    const value = read();
    if (accept(value) || Date.now() > until) return value;
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
}

describe('request ids', () => {
  let stack: Awaited<ReturnType<typeof startPrivateStack>>;
  let db: pg.Client;
  let token: string;

  beforeAll(async () => {
    stack = await startPrivateStack();
    db = new pg.Client({ connectionString: stack.databaseUrl });
    await db.connect();
    token = await tokenFor();
  });
  afterAll(async () => {
    await db.end();
    await stack.stop();
  });

  /** Schema drift nobody expected: the service's own topics statement now fails in PostgreSQL. */
  const withTopicsColumnMoved = async (work: () => Promise<void>) => {
    await db.query('alter table topics rename column name to name_moved');
    try {
      await work();
    } finally {
      await db.query('alter table topics rename column name_moved to name');
    }
  };

  /** The detail an operator needs (the failed statement) is in an error line under `requestId`. */
  const expectFailureLogged = async (requestId: string) => {
    const failure = await eventually(
      () => linesOf(stack.metadata.logs, requestId).filter((line) => line.level === 'error'),
      (lines) => lines.length > 0,
    );
    expect(JSON.stringify(failure)).toMatch(/select/i);
  };

  /** A typed client over one WebSocket to the metadata service, made with `socketClass`. */
  const socketClient = (socketClass: new (url: string | URL, protocols?: string | string[]) => WebSocket) => {
    const wsClient = createWSClient({
      url: `${stack.metadata.url.replace('http', 'ws')}/trpc`,
      WebSocket: socketClass as unknown as typeof globalThis.WebSocket,
      connectionParams: { token },
    });
    return { wsClient, client: createTRPCClient<MetadataRouter>({ links: [wsLink({ client: wsClient })] }) };
  };

  const upload = (name: string, headers: Record<string, string> = {}) =>
    fetch(`${stack.metadata.url}/trpc/documents.upload`, {
      method: 'POST',
      headers: {
        authorization: `Bearer ${token}`,
        'content-type': 'application/octet-stream',
        'x-docstore-document': encodeURIComponent(JSON.stringify({ name, size: 5 })),
        ...headers,
      },
      body: 'hello',
    });

  it('one id per request: in the response header, both services’ log lines and the audit row', async () => {
    const response = await upload(unique('traced'));
    expect(response.status).toBe(200);
    const { result } = (await response.json()) as { result: { data: { id: string } } };
    const requestId = response.headers.get('x-request-id') ?? '';
    expect(requestId).toMatch(/^[0-9a-f-]{36}$/);

    const metadataLines = await eventually(
      () => linesOf(stack.metadata.logs, requestId),
      (lines) => lines.some((line) => line.message === 'request'),
    );
    expect(metadataLines).toContainEqual(
      expect.objectContaining({ message: 'request', path: '/trpc/documents.upload', status: 200 }),
    );
    const blobLines = await eventually(
      () => linesOf(stack.blob.logs, requestId),
      (lines) => lines.length > 0,
    );
    // The blob service signed the PUT the metadata service streamed the bytes into.
    expect(blobLines).toContainEqual(
      expect.objectContaining({
        service: 'blob',
        message: 'request',
        path: '/trpc/objects.presignPut',
        status: 200,
      }),
    );
    const rows = await db.query<{ request_id: string }>(
      `select request_id from audit_log where target_id = $1 and action = 'document.upload'`,
      [result.data.id],
    );
    expect(rows.rows).toEqual([{ request_id: requestId }]);
  });

  it('an id a client chose is not taken unless a trusted proxy sent it (TRUST_PROXY is off)', async () => {
    const chosen = randomUUID();
    const response = await upload(unique('forged'), { 'x-request-id': chosen });
    expect(response.status).toBe(200);
    expect(response.headers.get('x-request-id')).not.toBe(chosen);
    expect(linesOf(stack.metadata.logs, chosen)).toEqual([]);
  });

  it('no secret in any log line', async () => {
    await upload(unique('secret-check'));
    const all = [...stack.metadata.logs, ...stack.blob.logs].join('\n');
    expect(all).not.toContain(token);
    expect(all).not.toContain(stack.blobEnv.BLOB_SERVICE_TOKEN);
  });

  it('INTERNAL carries no SQL: a generic message and the request id its log line carries', async () => {
    await withTopicsColumnMoved(async () => {
      const response = await fetch(`${stack.metadata.url}/trpc/topics.list`, {
        headers: { authorization: `Bearer ${token}` },
      });
      const requestId = response.headers.get('x-request-id') ?? '';
      const body = (await response.json()) as {
        error: { message: string; data: { appCode: string; requestId: string } };
      };
      expect(response.status).toBe(500);
      expect(body.error.data).toMatchObject({ appCode: 'INTERNAL', requestId });
      expect(body.error.message).toBe(`internal error (request ${requestId})`);
      expect(JSON.stringify(body)).not.toMatch(/select|name_moved|\.ts:/i);
      await expectFailureLogged(requestId);
    });
  });

  it('calls over one WebSocket run under the connection’s id: audit rows and the blob service’s lines carry it', async () => {
    const { client, wsClient } = socketClient(WebSocket);
    try {
      const ids: string[] = [];
      for (const name of [unique('over-ws'), unique('over-ws')]) {
        const { document } = await client.documents.createUpload.mutate({ name, size: 5 });
        ids.push(document.id);
      }
      const rows = await db.query<{ request_id: string | null }>(
        `select request_id from audit_log where target_id = any($1::text[]) and action = 'document.create_upload'`,
        [ids],
      );
      const requestIds = new Set(rows.rows.map((row) => row.request_id));
      expect(rows.rows).toHaveLength(2);
      expect(requestIds.size).toBe(1);
      const [requestId] = [...requestIds];
      expect(requestId).toMatch(/^[0-9a-f-]{36}$/);
      const blobLines = await eventually(
        () => linesOf(stack.blob.logs, requestId ?? ''),
        (lines) => lines.length >= 2,
      );
      expect(blobLines.filter((line) => line.path === '/trpc/objects.presignPut')).toHaveLength(2);
    } finally {
      wsClient.close();
    }
  });

  it('INTERNAL over WebSocket: the id in the message is the server’s own and finds the log line', async () => {
    const forged = `forged-${randomUUID()}`;
    // A client that sends its own x-request-id on the upgrade, and calls over the socket.
    class ForgingSocket extends WebSocket {
      constructor(url: string | URL, protocols?: string | string[]) {
        super(url, protocols, { headers: { 'x-request-id': forged } });
      }
    }
    const { client, wsClient } = socketClient(ForgingSocket);
    try {
      await withTopicsColumnMoved(async () => {
        const error = await client.topics.list.query().then(
          () => null,
          (failure: unknown) => failure,
        );
        expect(error).toBeInstanceOf(TRPCClientError);
        const { message, data } = error as TRPCClientError<MetadataRouter>;
        const requestId = (data as { requestId?: string } | undefined)?.requestId ?? '';
        expect(message).toBe(`internal error (request ${requestId})`);
        expect(requestId).toMatch(/^[0-9a-f-]{36}$/);
        expect(message).not.toContain(forged);
        await expectFailureLogged(requestId);
      });
    } finally {
      wsClient.close();
    }
  });
});
