import { randomUUID } from 'node:crypto';
import { connect } from 'node:net';
import {
  createMetadataClient,
  createStatusSocket,
  type MetadataClient,
  type StatusSocket,
} from '@docstore/contract';
import { type ServiceProcess, startService } from '@docstore/devstack';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import WebSocket from 'ws';
import { errorOf, metadataClient, queryDatabase, tokenFor, unique } from '../support/metadata.ts';
import { metadataEnv, testSecrets } from '../support/stack.ts';
import { collectStatus } from '../support/status.ts';

describe('limits and typed failures', () => {
  // A metadata instance of this file's own (same database and blob service) with small limits.
  let metadata: ServiceProcess;
  let token: string;

  beforeAll(async () => {
    metadata = await startService(
      'metadata',
      metadataEnv(inject('databaseUrl'), inject('blobUrl'), testSecrets(), {
        MAX_BATCH_SIZE: '10',
        MAX_SUBSCRIPTIONS_PER_CONNECTION: '3',
      }),
    );
    token = await tokenFor();
  });
  afterAll(() => metadata.stop());

  it('the server refuses a batch over MAX_BATCH_SIZE with BAD_REQUEST', async () => {
    const paths = Array.from({ length: 11 }, () => 'topics.list').join(',');
    const response = await fetch(`${metadata.url}/trpc/${paths}?batch=1&input={}`, {
      headers: { authorization: `Bearer ${token}` },
    });
    expect(response.status).toBe(400);
    const body = (await response.json()) as unknown;
    expect(JSON.stringify(body)).toContain('"appCode":"INVALID_INPUT"');
    const ten = Array.from({ length: 10 }, () => 'topics.list').join(',');
    expect(
      (
        await fetch(`${metadata.url}/trpc/${ten}?batch=1&input={}`, {
          headers: { authorization: `Bearer ${token}` },
        })
      ).status,
    ).toBe(200);
  });

  it('the typed client splits 500 calls of one tick so that none is refused for size', async () => {
    const client = await metadataClient();
    const ids = Array.from({ length: 500 }, () => randomUUID());
    const results = await Promise.allSettled(ids.map((id) => client.documents.get.query({ id })));
    const codes = new Set(
      results.map((result) =>
        result.status === 'rejected'
          ? (result.reason as { data?: { appCode?: string } }).data?.appCode
          : 'ok',
      ),
    );
    expect(codes).toEqual(new Set(['NOT_FOUND']));
  });

  it('a non-JSON error answer (431, headers too large) is a typed error, not a JSON parse failure', async () => {
    const client = createMetadataClient({
      url: inject('metadataUrl'),
      token,
      maxBatchItems: 1_000,
      maxURLLength: 1_000_000,
    });
    const calls = Array.from({ length: 500 }, () => client.documents.get.query({ id: randomUUID() }));
    const failure = await errorOf(Promise.all(calls));
    expect(failure).toMatchObject({ appCode: 'INVALID_INPUT', code: 'BAD_REQUEST' });
    expect(failure.message).toContain('431');
  });

  it('an unreachable server is SERVICE_UNAVAILABLE in the client, not "fetch failed"', async () => {
    const client = createMetadataClient({ url: 'http://127.0.0.1:9', token });
    expect(await errorOf(client.topics.list.query())).toMatchObject({
      appCode: 'SERVICE_UNAVAILABLE',
      code: 'SERVICE_UNAVAILABLE',
    });
  });

  it('raw non-ASCII bytes in x-docstore-document: BAD_REQUEST and nothing stored', async () => {
    const name = `${unique('latin')}-\u00e9.txt`;
    const response = await fetch(`${inject('metadataUrl')}/trpc/documents.upload`, {
      method: 'POST',
      headers: {
        authorization: `Bearer ${token}`,
        'content-type': 'application/octet-stream',
        // A Latin-1 character in a header is sent as one raw byte (0xE9).
        'x-docstore-document': JSON.stringify({ name, size: 2 }),
      },
      body: 'hi',
    });
    expect(response.status).toBe(400);
    expect(JSON.stringify(await response.json())).toContain('"appCode":"INVALID_INPUT"');
    expect(
      await queryDatabase('select 1 from documents where name like $1', [`${name.slice(0, 14)}%`]),
    ).toEqual([]);
  });

  it('a malformed chunked body gets a 4xx and is logged as a client error, without a stack', async () => {
    const answer = await new Promise<string>((resolve, reject) => {
      const socket = connect(metadata.port, '127.0.0.1');
      let text = '';
      socket.on('data', (chunk) => (text += chunk.toString('latin1')));
      socket.on('close', () => resolve(text));
      socket.on('error', reject);
      socket.write(
        [
          'POST /trpc/documents.upload HTTP/1.1',
          'host: 127.0.0.1',
          `authorization: Bearer ${token}`,
          'content-type: application/octet-stream',
          `x-docstore-document: ${encodeURIComponent(JSON.stringify({ name: unique('chunked') }))}`,
          'transfer-encoding: chunked',
          '',
          '5',
          'hello',
          'zz-not-a-size',
          '',
          '',
        ].join('\r\n'),
      );
      setTimeout(() => socket.end(), 2_000);
    });
    expect(answer).toMatch(/^HTTP\/1\.1 4\d\d /);
    await new Promise((resolve) => setTimeout(resolve, 500));
    const errors = metadata.logs.filter((line) => line.includes('"level":"error"'));
    expect(errors).toEqual([]);
    expect(metadata.logs.join('\n')).not.toContain('"stack"');
  });

  describe('WebSocket', () => {
    const wsUrl = () => `${metadata.url.replace('http:', 'ws:')}/trpc`;

    it('a 10 MB frame before authentication closes the connection (1009) instead of being read', async () => {
      const socket = new WebSocket(wsUrl());
      await new Promise((resolve, reject) => {
        socket.once('open', resolve);
        socket.once('error', reject);
      });
      const closed = new Promise<number>((resolve) => socket.once('close', (code) => resolve(code)));
      socket.send(Buffer.alloc(10 * 1024 * 1024, 0x61));
      expect(await closed).toBe(1009);
    });

    it('one connection holds at most MAX_SUBSCRIPTIONS_PER_CONNECTION subscriptions; one more is BAD_REQUEST', async () => {
      let wsClient: StatusSocket | undefined;
      try {
        wsClient = createStatusSocket({ url: metadata.url, token, WebSocket: WebSocket as never });
        const client: MetadataClient = createMetadataClient({ url: metadata.url, token, wsClient });
        const open = [collectStatus(client), collectStatus(client), collectStatus(client)];
        await Promise.all(open.map((subscription) => subscription.started));
        const refused = await new Promise<{ data?: { appCode?: string; code?: string } }>((resolve) => {
          client.documents.onStatus.subscribe({}, { onError: (error) => resolve(error as never) });
        });
        expect(refused.data).toMatchObject({ appCode: 'INVALID_INPUT', code: 'BAD_REQUEST' });
        // A stopped subscription gives its slot back.
        open[0]?.stop();
        await new Promise((resolve) => setTimeout(resolve, 200));
        const again = collectStatus(client);
        await again.started;
        again.stop();
        for (const subscription of open) subscription.stop();
      } finally {
        wsClient?.close();
      }
    });
  });
});
