import { createMetadataClient, createStatusSocket, StreamBody, uploadDocument } from '@docstore/contract';
import { startService, startTcpRelay } from '@docstore/devstack';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { WebSocket } from 'ws';
import { MiB, randomData, sha256, sha256OfResponse, slowStream } from '../support/bytes.ts';
import { queryDatabase, tokenFor } from '../support/metadata.ts';
import { metadataEnv, testSecrets } from '../support/stack.ts';
import { collectStatus } from '../support/status.ts';

/** An upload's statuses up to `ready`: processing's own events follow it, as soon as it starts. */
const upToReady = (statuses: string[]) => statuses.slice(0, statuses.indexOf('ready') + 1);

const url = inject('metadataUrl');

const token = await tokenFor();

function connect(target = url) {
  const socket = createStatusSocket({
    url: target,
    token,
    WebSocket: WebSocket as unknown as typeof globalThis.WebSocket,
  });
  return { socket, client: createMetadataClient({ url: target, token, wsClient: socket }) };
}

describe('live upload status over WebSocket', () => {
  const { socket, client } = connect();
  afterAll(() => socket.close());

  it('a proxied 50 MiB upload goes pending → receiving… → stored → ready, bytes only growing', async () => {
    const status = collectStatus(client);
    await status.started;
    const data = randomData(50 * MiB);
    // Paced at ~50 MiB/s so that the receiving events (every 1 MiB and 250 ms) have time to show.
    const document = await uploadDocument(
      client,
      { name: 'fifty.bin', size: data.length },
      new StreamBody(slowStream(50, 20), data.length),
    );
    await status.until(({ event }) => event.documentId === document.id && event.status === 'ready');
    status.stop();
    const events = status.of(document.id).map(({ event }) => event);
    const statuses = upToReady(events.map((event) => event.status));
    expect(statuses[0]).toBe('pending');
    expect(statuses.slice(-2)).toEqual(['stored', 'ready']);
    const receiving = events.filter((event) => event.status === 'receiving');
    expect(receiving.length).toBeGreaterThanOrEqual(2);
    expect(statuses.slice(1, -2).every((value) => value === 'receiving')).toBe(true);
    const bytes = events.map((event) => event.receivedBytes);
    expect(bytes).toEqual([...bytes].sort((a, b) => a - b));
    expect(events.at(-1)).toMatchObject({ receivedBytes: 50 * MiB, totalBytes: 50 * MiB });
    for (const [previous, next] of receiving.slice(1).map((event, index) => [receiving[index], event])) {
      expect((next?.receivedBytes ?? 0) - (previous?.receivedBytes ?? 0)).toBeGreaterThanOrEqual(MiB);
      expect(Date.parse(next?.at ?? '') - Date.parse(previous?.at ?? '')).toBeGreaterThanOrEqual(240);
    }
  });

  it('sniffs the real content type from the first bytes', async () => {
    // A real 1×1 PNG: the bytes say what it is, whatever the client declares.
    const png = Buffer.from(
      'iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAYAAAAfFcSJAAAADUlEQVR42mNkYPhfDwAChwGA60e6kgAAAABJRU5ErkJggg==',
      'base64',
    );
    const document = await uploadDocument(
      client,
      { name: 'pic.bin', mimeType: 'application/octet-stream' },
      new Blob([png]),
    );
    expect(document.mimeType).toBe('image/png');
    const [row] = await queryDatabase<{ declared_mime_type: string }>(
      'select declared_mime_type from documents where id = $1',
      [document.id],
    );
    expect(row?.declared_mime_type).toBe('application/octet-stream');
  });

  it('the direct path: createUpload, PUT to S3, completeUpload → ready, and the bytes download equal', async () => {
    const data = randomData(3 * MiB + 17);
    const { document, uploadUrl } = await client.documents.createUpload.mutate({
      name: 'direct.pdf',
      mimeType: 'application/pdf',
      size: data.length,
    });
    expect(document.status).toBe('pending');
    const status = collectStatus(client, { documentId: document.id });
    await status.started;
    const put = await fetch(uploadUrl, {
      method: 'PUT',
      body: data,
      headers: { 'content-type': 'application/pdf' },
    });
    expect(put.status).toBe(200);
    const done = await client.documents.completeUpload.mutate({ id: document.id });
    expect(done).toMatchObject({ id: document.id, status: 'ready', size: data.length });
    await status.until(({ event }) => event.status === 'ready');
    status.stop();
    expect(upToReady(status.received.map(({ event }) => event.status))).toEqual(['stored', 'ready']);
    // Completing twice is harmless.
    expect((await client.documents.completeUpload.mutate({ id: document.id })).status).toBe('ready');
    const { url: download } = await client.documents.downloadUrl.mutate({ id: document.id });
    expect(await sha256OfResponse(await fetch(download))).toEqual({
      sha256: sha256(data),
      size: data.length,
    });
  });

  it('the direct path fails with a reason when nothing or the wrong size was uploaded', async () => {
    const nothing = await client.documents.createUpload.mutate({ name: 'none.txt', size: 10 });
    const failed = await client.documents.completeUpload.mutate({ id: nothing.document.id });
    expect(failed.status).toBe('failed');

    const wrong = await client.documents.createUpload.mutate({ name: 'wrong.txt', size: 10 });
    await fetch(wrong.uploadUrl, { method: 'PUT', body: 'only five!!' });
    expect((await client.documents.completeUpload.mutate({ id: wrong.document.id })).status).toBe('failed');
    const [row] = await queryDatabase<{ failure_reason: string }>(
      'select failure_reason from documents where id = $1',
      [wrong.document.id],
    );
    expect(row?.failure_reason).toBe('uploaded 11 bytes, declared 10');
  });

  it('a dropped connection resumes from lastEventId: nothing lost, nothing twice', async () => {
    const proxy = await startTcpRelay(new URL(url).port ? Number(new URL(url).port) : 80);
    const viaProxy = connect(proxy.url);
    try {
      const status = collectStatus(viaProxy.client);
      await status.started;
      const upload = uploadDocument(
        client,
        { name: 'resume.bin', size: 30 * MiB },
        new StreamBody(slowStream(30, 50), 30 * MiB),
      );
      await status.until(({ event }) => event.status === 'receiving');
      proxy.cut();
      const document = await upload;
      await status.until(({ event }) => event.documentId === document.id && event.status === 'ready');
      status.stop();
      // The upload's own events: processing ones follow `ready` on their own time.
      const stored = await queryDatabase<{ id: string }>(
        `select id::text from status_events where document_id = $1
            and status not in ('processing', 'processed', 'processing_failed') order by id`,
        [document.id],
      );
      const processing = ['processing', 'processed', 'processing_failed'];
      expect(
        status
          .of(document.id)
          .filter((item) => !processing.includes(item.event.status))
          .map((item) => item.id),
      ).toEqual(stored.map((row) => row.id));
    } finally {
      await viaProxy.socket.close();
      await proxy.close();
    }
  });

  it('a subscription for one document replays what it missed', async () => {
    const document = await uploadDocument(client, { name: 'replay.txt' }, new Blob(['replay']));
    // The upload's own events: processing ones follow `ready` on their own time.
    const stored = await queryDatabase<{ id: string; status: string }>(
      `select id::text, status from status_events where document_id = $1
          and status not in ('processing', 'processed', 'processing_failed') order by id`,
      [document.id],
    );
    const first = stored[0]?.id ?? '';
    const status = collectStatus(client, { documentId: document.id, lastEventId: first });
    await status.until(({ event }) => event.status === 'ready');
    status.stop();
    const processing = ['processing', 'processed', 'processing_failed'];
    expect(
      status.received.filter((item) => !processing.includes(item.event.status)).map((item) => item.id),
    ).toEqual(stored.slice(1).map((row) => row.id));
  });
});

describe('two metadata instances on one database', () => {
  let second: Awaited<ReturnType<typeof startService>>;
  beforeAll(async () => {
    second = await startService('metadata', {
      ...metadataEnv(inject('databaseUrl'), inject('blobUrl'), testSecrets()),
    });
  });
  afterAll(() => second.stop());

  it('a subscriber on instance B sees the events of an upload handled by instance A', async () => {
    const onB = connect(second.url);
    try {
      const status = collectStatus(onB.client);
      await status.started;
      const document = await uploadDocument(
        connect().client,
        { name: 'fan-out.txt' },
        new Blob(['across instances']),
      );
      await status.until(({ event }) => event.documentId === document.id && event.status === 'ready');
      status.stop();
      expect(upToReady(status.of(document.id).map(({ event }) => event.status))).toEqual([
        'pending',
        'stored',
        'ready',
      ]);
    } finally {
      await onB.socket.close();
    }
  });
});

describe('releasing subscriptions', () => {
  it('1,000 subscribe/unsubscribe cycles and 50 closed connections leave nothing behind', async () => {
    const stats = async () => (await (await fetch(`${url}/stats`)).json()) as Record<string, number>;
    const before = await stats();
    const { socket, client } = connect();
    for (let cycle = 0; cycle < 1000; cycle += 1) {
      const status = collectStatus(client);
      await status.started;
      status.stop();
    }
    await socket.close();
    for (let connection = 0; connection < 50; connection += 1) {
      const other = connect();
      const status = collectStatus(other.client);
      await status.started;
      await other.socket.close();
    }
    await expect.poll(stats, { timeout: 10_000 }).toEqual(before);
  });
});
