import { randomUUID } from 'node:crypto';
import { readFile } from 'node:fs/promises';
import {
  createMetadataClient,
  createStatusSocket,
  fetchObject,
  StreamBody,
  uploadDocument,
} from '@docstore/contract';
import { createDatabase, type ServiceProcess, startService } from '@docstore/devstack';
import pg from 'pg';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { WebSocket } from 'ws';
import { randomData } from '../support/bytes.ts';
import { errorOf, tokenFor } from '../support/metadata.ts';
import { metricsUrlOf, type Scrape, scrape } from '../support/prometheus.ts';
import { blobEnv, metadataEnv, testSecrets } from '../support/stack.ts';
import { collectStatus } from '../support/status.ts';

const DASHBOARD = new URL('../../deploy/grafana/docstore.json', import.meta.url);

/**
 * Services of this file's own (their own database and bucket, on the run's PostgreSQL and S3), so
 * that no other test's work moves their counters: every delta below is exactly this file's work.
 */
describe('/metrics on its own port', () => {
  let blob: ServiceProcess;
  let metadata: ServiceProcess;
  let blobMetrics: string;
  let metadataMetrics: string;
  let databaseUrl: string;
  let bucket: string;
  const secrets = testSecrets();
  const userId = randomUUID();

  beforeAll(async () => {
    const name = `metrics_${randomUUID().slice(0, 8)}`;
    databaseUrl = await createDatabase(inject('postgresAdminUrl'), name);
    bucket = name.replace('_', '-');
    blob = await startService('blob', blobEnv(inject('s3'), bucket, secrets, { METRICS_PORT: '0' }));
    metadata = await startService(
      'metadata',
      metadataEnv(databaseUrl, blob.url, secrets, { METRICS_PORT: '0', UPLOAD_TTL_SECONDS: '2' }),
    );
    blobMetrics = metricsUrlOf(blob.logs);
    metadataMetrics = metricsUrlOf(metadata.logs);
  });
  afterAll(async () => {
    await metadata?.stop();
    await blob?.stop();
  });

  const delta = (before: Scrape, after: Scrape, name: string, labels?: Record<string, string>) =>
    after.value(name, labels) - before.value(name, labels);

  it('is not served on the public port, and only when METRICS_PORT is set', async () => {
    expect((await fetch(`${metadata.url}/metrics`)).status).toBe(404);
    expect((await fetch(`${blob.url}/metrics`)).status).toBe(404);
    const response = await fetch(metadataMetrics);
    expect(response.headers.get('content-type')).toMatch(/^text\/plain; version=0\.0\.4/);
    // Without METRICS_PORT there is no metrics endpoint at all.
    const plain = await startService('blob', blobEnv(inject('s3'), bucket, secrets));
    try {
      expect(() => metricsUrlOf(plain.logs)).toThrow('no `metrics listening` line');
      expect((await fetch(`${plain.url}/metrics`)).status).toBe(404);
    } finally {
      await plain.stop();
    }
  });

  it('counts exactly the work done: calls, errors, bytes, events, connections', async () => {
    const token = await tokenFor(userId);
    const socket = createStatusSocket({
      url: metadata.url,
      token,
      WebSocket: WebSocket as unknown as typeof globalThis.WebSocket,
    });
    const client = createMetadataClient({ url: metadata.url, token, wsClient: socket });
    try {
      const status = collectStatus(client);
      await status.started;
      const [metaBefore, blobBefore] = await Promise.all([scrape(metadataMetrics), scrape(blobMetrics)]);
      expect(metaBefore.value('docstore_websocket_connections')).toBe(1);
      expect(metaBefore.value('docstore_status_subscriptions')).toBe(1);

      const bytes = randomData(300_000);
      const document = await uploadDocument(client, { name: 'counted.bin' }, new Blob([bytes]));
      await status.until((item) => item.event.documentId === document.id && item.event.status === 'ready');
      await client.documents.list.query({});
      expect(await errorOf(client.documents.get.query({ id: randomUUID() }))).toMatchObject({
        appCode: 'NOT_FOUND',
      });
      const [key] = await fetchKey(document.id);
      if (!key) throw new Error('the document has no object key');
      const download = await fetchObject({ url: blob.url, token: secrets.serviceToken }, key);
      expect((await download.arrayBuffer()).byteLength).toBe(bytes.length);

      const [metaAfter, blobAfter] = await Promise.all([scrape(metadataMetrics), scrape(blobMetrics)]);
      const calls = (procedure: string, type: string) =>
        delta(metaBefore, metaAfter, 'docstore_procedure_calls_total', { procedure, type });
      expect(calls('documents.upload', 'mutation')).toBe(1);
      expect(calls('documents.list', 'query')).toBe(1);
      expect(calls('documents.get', 'query')).toBe(1);
      expect(
        delta(metaBefore, metaAfter, 'docstore_procedure_errors_total', {
          procedure: 'documents.get',
          code: 'NOT_FOUND',
        }),
      ).toBe(1);
      expect(
        delta(metaBefore, metaAfter, 'docstore_procedure_duration_seconds_count', {
          procedure: 'documents.list',
          type: 'query',
        }),
      ).toBe(1);
      // Every event of this upload was published once on this (only) instance and delivered once to
      // the one subscription, each with a lag observation.
      const events = status.of(document.id).length;
      expect(events).toBeGreaterThanOrEqual(2);
      expect(delta(metaBefore, metaAfter, 'docstore_status_events_published_total')).toBe(events);
      expect(delta(metaBefore, metaAfter, 'docstore_status_events_delivered_total')).toBe(events);
      expect(delta(metaBefore, metaAfter, 'docstore_status_event_lag_seconds_count')).toBe(events);
      expect(metaAfter.value('docstore_db_pool_waiting')).toBe(0);
      expect(metaAfter.has('docstore_db_pool_connections_in_use')).toBe(true);

      // A declared size: the blob service signed one PUT and never carried the bytes; the metadata
      // service streamed exactly these bytes into S3. One download of them through the blob service.
      const blobCalls = (procedure: string) =>
        delta(blobBefore, blobAfter, 'docstore_procedure_calls_total', { procedure, type: 'mutation' });
      expect(blobCalls('objects.presignPut')).toBe(1);
      expect(blobCalls('objects.put')).toBe(0);
      expect(delta(blobBefore, blobAfter, 'docstore_blob_uploaded_bytes_total')).toBe(0);
      expect(delta(metaBefore, metaAfter, 'docstore_signed_puts_total', { outcome: 'stored' })).toBe(1);
      expect(delta(metaBefore, metaAfter, 'docstore_signed_put_bytes_total')).toBe(bytes.length);
      expect(delta(blobBefore, blobAfter, 'docstore_blob_downloaded_bytes_total')).toBe(bytes.length);

      // No declared size: through the blob service's objects.put, exactly these bytes, none in flight.
      const unsized = await uploadDocument(
        client,
        { name: 'unsized.bin' },
        new StreamBody(new Blob([bytes]).stream()),
      );
      expect(unsized).toMatchObject({ size: bytes.length, status: 'ready' });
      const blobLast = await scrape(blobMetrics);
      expect(
        delta(blobAfter, blobLast, 'docstore_procedure_calls_total', {
          procedure: 'objects.put',
          type: 'mutation',
        }),
      ).toBe(1);
      expect(delta(blobAfter, blobLast, 'docstore_blob_uploaded_bytes_total')).toBe(bytes.length);
      expect(delta(blobAfter, blobLast, 'docstore_blob_uploads_total', { outcome: 'stored' })).toBe(1);
      expect(blobLast.value('docstore_blob_uploads_in_flight')).toBe(0);

      // Node's own process metrics, labelled with the service.
      for (const after of [metaAfter, blobAfter]) {
        expect(after.has('process_cpu_user_seconds_total')).toBe(true);
        expect(after.has('nodejs_eventloop_lag_seconds')).toBe(true);
      }
      expect(metaAfter.value('process_resident_memory_bytes', { service: 'metadata' })).toBeGreaterThan(0);
      expect(blobAfter.value('process_resident_memory_bytes', { service: 'blob' })).toBeGreaterThan(0);

      status.stop();
      await until(async () => (await scrape(metadataMetrics)).value('docstore_status_subscriptions') === 0);
    } finally {
      socket.close();
    }
    await until(async () => (await scrape(metadataMetrics)).value('docstore_websocket_connections') === 0);
  });

  it('counts the uploads the sweeper removes', async () => {
    const client = createMetadataClient({ url: metadata.url, token: await tokenFor(userId) });
    const before = await scrape(metadataMetrics);
    await client.documents.createUpload.mutate({ name: 'abandoned.bin', size: 10 });
    await until(
      async () => delta(before, await scrape(metadataMetrics), 'docstore_sweeper_expired_uploads_total') >= 1,
      15_000,
    );
    const after = await scrape(metadataMetrics);
    expect(delta(before, after, 'docstore_sweeper_expired_uploads_total')).toBe(1);
    expect(delta(before, after, 'docstore_sweeper_runs_total', { outcome: 'ok' })).toBeGreaterThanOrEqual(1);
    expect(after.value('docstore_sweeper_runs_total', { outcome: 'failed' })).toBe(0);
  });

  it('the Grafana dashboard parses, uses only series the services expose, and shows every docstore one', async () => {
    const dashboard = JSON.parse(await readFile(DASHBOARD, 'utf8')) as {
      uid: string;
      panels: Array<{ type: string; title: string; targets?: Array<{ expr: string }> }>;
    };
    expect(dashboard.uid).toBe('docstore');
    const exprs = dashboard.panels.flatMap((panel) => panel.targets?.map((target) => target.expr) ?? []);
    expect(exprs.length).toBeGreaterThan(10);
    const exposed = new Set<string>();
    const families = new Set<string>();
    for (const url of [metadataMetrics, blobMetrics]) {
      for (const [, name, type] of (await scrape(url)).text.matchAll(/^# TYPE (\S+) (\S+)$/gm)) {
        if (!name || !type) continue;
        families.add(name);
        exposed.add(name);
        if (type === 'histogram')
          for (const suffix of ['_bucket', '_sum', '_count']) exposed.add(name + suffix);
        if (type === 'summary') for (const suffix of ['_sum', '_count']) exposed.add(name + suffix);
      }
    }
    const used = new Set(
      exprs.flatMap((expr) => expr.match(/\b(?:docstore|process|nodejs)_[a-z0-9_]+/g) ?? []),
    );
    expect([...used].filter((name) => !exposed.has(name))).toEqual([]);
    const shown = (family: string) =>
      [...used].some((name) => name === family || name.startsWith(`${family}_`));
    expect([...families].filter((family) => family.startsWith('docstore_') && !shown(family))).toEqual([]);
  });

  /** The object key of a document, read from this file's own database. */
  async function fetchKey(documentId: string): Promise<string[]> {
    const db = new pg.Client({ connectionString: databaseUrl });
    await db.connect();
    try {
      const result = await db.query<{ object_key: string }>(
        'select object_key from documents where id = $1',
        [documentId],
      );
      return result.rows.map((row) => row.object_key);
    } finally {
      await db.end();
    }
  }
});

async function until(check: () => Promise<boolean>, timeoutMs = 10_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!(await check())) {
    if (Date.now() > deadline) throw new Error(`condition not met within ${timeoutMs} ms`);
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
}
