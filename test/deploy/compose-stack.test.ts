import { randomUUID } from 'node:crypto';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { createMetadataClient, createStatusSocket, mintToken, uploadDocument } from '@docstore/contract';
import {
  type EmbeddedS3,
  type ServiceProcess,
  scratchDir,
  startCommand,
  startEmbeddedS3,
} from '@docstore/devstack';
import pg from 'pg';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { randomData, sha256 } from '../support/bytes.ts';
import { type ComposeService, composeEnvironment, readCompose } from '../support/compose.ts';
import { type RoundRobinProxy, startRoundRobinProxy } from '../support/round-robin-proxy.ts';
import { collectStatus } from '../support/status.ts';

const repo = fileURLToPath(new URL('../..', import.meta.url));

/**
 * The built services started exactly as docker-compose.yml starts them: the service's `command`
 * from its image's folder (the compiled dist/, no tsx, no workspace sources), with the environment
 * compose gives the container when no .env file overrides anything. Only what a machine without
 * Docker must change is changed: host names become 127.0.0.1 and the fixed ports 0 (each container
 * has a network of its own), PostgreSQL is embedded and MinIO is s3rver. nginx's part is played by
 * a round-robin proxy in front of the two metadata instances.
 */
describe('the compose stack, built', () => {
  const stops: Array<() => Promise<void>> = [];
  let proxy: RoundRobinProxy;
  let authSecret: string;

  beforeAll(async () => {
    const { services } = await readCompose('docker-compose.yml');
    const dir = await scratchDir('compose');
    stops.push(() => dir.remove());
    const s3 = await startEmbeddedS3({
      dataDir: join(dir.path, 's3'),
      accessKeyId: composeEnvironment(need(services.blob)).S3_ACCESS_KEY,
      secretAccessKey: composeEnvironment(need(services.blob)).S3_SECRET_KEY,
    });
    stops.push(() => s3.stop());
    const postgres = await composeDatabase(need(services.postgres));
    const hosts = {
      'minio:9000': s3Host(s3),
      'localhost:9000': s3Host(s3),
      'postgres:5432': postgres,
    };

    const blob = await startAsCompose('blob', need(services.blob), hosts);
    stops.push(() => blob.stop());
    const withBlob = { ...hosts, 'blob:4001': `127.0.0.1:${blob.port}` };
    // As compose orders them: the second instance starts once the first has migrated the database.
    const first = await startAsCompose('metadata-1', need(services['metadata-1']), withBlob);
    stops.push(() => first.stop());
    const second = await startAsCompose('metadata-2', need(services['metadata-2']), withBlob);
    stops.push(() => second.stop());
    proxy = await startRoundRobinProxy([first.url, second.url]);
    stops.push(() => proxy.close());
    authSecret = composeEnvironment(need(services['metadata-1'])).AUTH_JWT_SECRET ?? '';
  });

  afterAll(async () => {
    for (const stop of stops.reverse()) await stop();
  });

  it('uploads, lists, streams status across instances and downloads through the proxy', async () => {
    const token = await mintToken({ secret: authSecret, userId: randomUUID(), ttlSeconds: 600 });
    const socket = createStatusSocket({ url: proxy.url, token });
    try {
      const subscriber = createMetadataClient({ url: proxy.url, token, wsClient: socket });
      const status = collectStatus(subscriber);
      await status.started;

      const client = createMetadataClient({ url: proxy.url, token });
      const bytes = randomData(256 * 1024);
      const document = await uploadDocument(client, { name: 'compose.bin' }, new Blob([bytes]));
      expect(document).toMatchObject({ status: 'ready', size: bytes.length, sha256: sha256(bytes) });

      // The subscription lives on one instance, the upload went through the other.
      const subscribed = proxy.served.find((request) => request.upgrade);
      const uploaded = proxy.served.find((request) => request.path.startsWith('/trpc/documents.upload'));
      expect(subscribed?.upstream).toBeDefined();
      expect(uploaded?.upstream).toBe(1 - (subscribed?.upstream ?? 0));
      await status.until(({ event }) => event.documentId === document.id && event.status === 'ready');
      // Processing (issue 11) follows `ready` on its own schedule; the upload's own steps come first.
      const steps = status.of(document.id).map(({ event }) => event.status);
      expect(steps.slice(0, steps.indexOf('ready') + 1)).toEqual(['pending', 'stored', 'ready']);
      status.stop();

      const page = await client.documents.list.query({});
      expect(page.items.map((item) => item.id)).toEqual([document.id]);

      const { url } = await client.documents.downloadUrl.mutate({ id: document.id });
      const download = await fetch(url);
      expect(download.status).toBe(200);
      expect(Buffer.from(await download.arrayBuffer()).equals(bytes)).toBe(true);
    } finally {
      await socket.close();
    }
  });

  /** Runs a compose service's command in its image's folder with compose's environment for it. */
  async function startAsCompose(
    name: string,
    service: ComposeService,
    hosts: Record<string, string>,
  ): Promise<ServiceProcess> {
    const [command, ...args] = service.command ?? [];
    const dockerfile = service.build?.dockerfile;
    if (command !== 'node' || dockerfile === undefined)
      throw new Error(`${name}: expected a built node service`);
    const env = composeEnvironment(service);
    for (const [key, value] of Object.entries(env)) {
      let local = value;
      // A host in a URL follows `//` or, with credentials, `@`.
      for (const [host, replacement] of Object.entries(hosts)) {
        local = local.replaceAll(`//${host}`, `//${replacement}`).replaceAll(`@${host}`, `@${replacement}`);
      }
      env[key] = local;
    }
    for (const key of ['BLOB_HOST', 'METADATA_HOST']) if (key in env) env[key] = '127.0.0.1';
    for (const key of ['BLOB_PORT', 'METADATA_PORT']) if (key in env) env[key] = '0';
    // The image's own environment (its Dockerfile's ENV) and nothing of this test process's.
    return startCommand([process.execPath, ...args], {
      name,
      cwd: join(repo, dirname(dockerfile)),
      env: { ...env, NODE_ENV: 'production' },
      cleanEnv: true,
      timeoutMs: 60_000,
    });
  }
});

/** The role and database the postgres image creates from its POSTGRES_* variables, on the run's embedded server. */
async function composeDatabase(service: ComposeService): Promise<string> {
  const env = composeEnvironment(service);
  const admin = new pg.Client({ connectionString: inject('postgresAdminUrl') });
  await admin.connect();
  try {
    const user = pg.escapeIdentifier(env.POSTGRES_USER ?? '');
    const exists = await admin.query('SELECT 1 FROM pg_roles WHERE rolname = $1', [env.POSTGRES_USER]);
    if (exists.rowCount === 0) {
      await admin.query(
        `CREATE ROLE ${user} LOGIN PASSWORD ${pg.escapeLiteral(env.POSTGRES_PASSWORD ?? '')}`,
      );
      await admin.query(`CREATE DATABASE ${pg.escapeIdentifier(env.POSTGRES_DB ?? '')} OWNER ${user}`);
    }
  } finally {
    await admin.end();
  }
  return new URL(inject('postgresAdminUrl')).host;
}

function s3Host(s3: EmbeddedS3): string {
  return new URL(s3.endpoint).host;
}

function need<T>(value: T | undefined): T {
  if (value === undefined) throw new Error('docker-compose.yml lacks a service this test runs');
  return value;
}
