import { execFile } from 'node:child_process';
import { readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { promisify } from 'node:util';
import {
  type ApiSnapshot,
  DOCS_PATH,
  type HttpCall,
  httpCall,
  REPO_ROOT,
  SNAPSHOT_PATH,
  webSocketCall,
} from '@docstore/api-tools';
import {
  CONTRACT_VERSION,
  CONTRACT_VERSION_HEADER,
  documentSchema,
  statusEventSchema,
  topicSchema,
} from '@docstore/contract';
import { scratchDir } from '@docstore/devstack';
import { describe, expect, inject, it } from 'vitest';
import { WebSocket } from 'ws';
import { tokenFor, unique } from '../support/metadata.ts';

// What docs/api.md tells a Python or Go user, sent as plain HTTP and WebSocket messages to the running
// metadata service: the same request builders render the reference's curl lines and messages.

const url = inject('metadataUrl');
const token = await tokenFor();
const snapshot = JSON.parse(await readFile(join(REPO_ROOT, SNAPSHOT_PATH), 'utf8')) as ApiSnapshot;
const procedures = snapshot.routers.metadata?.procedures ?? {};

function procedure(path: string) {
  const found = procedures[path];
  if (!found) throw new Error(`${path} is not in the snapshot`);
  return found;
}

async function send(
  call: HttpCall,
  body?: Uint8Array,
): Promise<{ status: number; headers: Headers; json: unknown }> {
  const response = await fetch(new URL(call.path, url), {
    method: call.method,
    headers: call.headers,
    body: body ?? call.body,
  });
  return { status: response.status, headers: response.headers, json: await response.json() };
}

const dataOf = (json: unknown) => (json as { result: { data: unknown } }).result.data;
const errorOf = (json: unknown) =>
  (json as { error: { code: number; data: { appCode: string; httpStatus: number; zodError: unknown } } })
    .error;

async function upload(name: string) {
  const bytes = new TextEncoder().encode(`hello from plain HTTP: ${name}`);
  const call = httpCall(
    'documents.upload',
    procedure('documents.upload'),
    { name, mimeType: 'text/plain' },
    { token },
  );
  const answer = await send(call, bytes);
  expect(answer.status).toBe(200);
  return { document: documentSchema.parse(dataOf(answer.json)), bytes, answer };
}

describe('the wire format docs/api.md documents', () => {
  it('a binary upload: raw bytes as body, the metadata URI-encoded in x-docstore-document', async () => {
    const { document, bytes, answer } = await upload(unique('wire-upload.txt'));
    expect(document).toMatchObject({ status: 'ready', size: bytes.length, mimeType: 'text/plain' });
    expect(answer.headers.get(CONTRACT_VERSION_HEADER)).toBe(CONTRACT_VERSION);
  });

  it('a query: GET with the input as URI-encoded JSON, and one without input', async () => {
    const { document } = await upload(unique('wire-query.txt'));
    const got = await send(
      httpCall('documents.get', procedure('documents.get'), { id: document.id }, { token }),
    );
    expect(got.status).toBe(200);
    // Processing runs on its own after `ready`: its part of the view may have moved on meanwhile.
    const { processing: _processing, ...stored } = document;
    expect(documentSchema.parse(dataOf(got.json))).toMatchObject(stored);
    const topics = await send(httpCall('topics.list', procedure('topics.list'), undefined, { token }));
    expect(topics.status).toBe(200);
    expect(Array.isArray(dataOf(topics.json))).toBe(true);
  });

  it('a mutation: POST with the JSON input as body', async () => {
    const name = unique('wire-topic');
    const created = await send(httpCall('topics.create', procedure('topics.create'), { name }, { token }));
    expect(created.status).toBe(200);
    expect(topicSchema.parse(dataOf(created.json))).toMatchObject({ name, documentCount: 0 });
  });

  it('errors carry the HTTP status, JSON-RPC code and appCode of the error table, with field errors', async () => {
    const get = procedure('documents.get');
    const invalid = await send(httpCall('documents.get', get, { id: 'not-a-uuid' }, { token }));
    expect(invalid.status).toBe(snapshot.errorCodes.INVALID_INPUT?.httpStatus);
    expect(errorOf(invalid.json)).toMatchObject({
      code: snapshot.errorCodes.INVALID_INPUT?.jsonRpcCode,
      data: { appCode: 'INVALID_INPUT', zodError: { fieldErrors: { id: [expect.any(String)] } } },
    });
    const missing = await send(httpCall('documents.get', get, { id: crypto.randomUUID() }, { token }));
    expect(missing.status).toBe(snapshot.errorCodes.NOT_FOUND?.httpStatus);
    expect(errorOf(missing.json)).toMatchObject({ code: -32004, data: { appCode: 'NOT_FOUND' } });
    const anonymous = await send(httpCall('documents.get', get, { id: crypto.randomUUID() }));
    expect(anonymous.status).toBe(401);
    expect(errorOf(anonymous.json).data.appCode).toBe('UNAUTHORIZED');
  });

  it('every answer names the contract version, and /healthz reports it', async () => {
    const health = await fetch(new URL('/healthz', url));
    expect(health.headers.get(CONTRACT_VERSION_HEADER)).toBe(CONTRACT_VERSION);
    expect(await health.json()).toEqual({ ok: true, contract: CONTRACT_VERSION });
    const notFound = await fetch(new URL('/nothing-here', url));
    await notFound.body?.cancel();
    expect(notFound.headers.get(CONTRACT_VERSION_HEADER)).toBe(CONTRACT_VERSION);
    const blobHealth = await fetch(new URL('/healthz', inject('blobUrl')));
    expect(await blobHealth.json()).toEqual({ ok: true, contract: CONTRACT_VERSION });
  });

  it('a subscription: connectionParams, then the subscription message; tracked events with their id', async () => {
    const call = webSocketCall('documents.onStatus', {}, { token });
    const wsUrl = new URL(call.path, url);
    wsUrl.protocol = 'ws:';
    const socket = new WebSocket(wsUrl);
    const messages: Array<{ id?: number; result?: { type: string; id?: string; data?: unknown } }> = [];
    const waiters: Array<() => void> = [];
    socket.on('message', (raw) => {
      messages.push(JSON.parse(String(raw)));
      for (const wake of waiters.splice(0)) wake();
    });
    const until = async <T>(find: () => T | undefined): Promise<T> => {
      for (;;) {
        const found = find();
        if (found !== undefined) return found;
        await new Promise<void>((resolve) => waiters.push(resolve));
      }
    };
    try {
      await new Promise((resolve, reject) => socket.once('open', resolve).once('error', reject));
      for (const message of call.messages) socket.send(JSON.stringify(message));
      await until(() => messages.find((message) => message.id === 1 && message.result?.type === 'started'));
      const { document } = await upload(unique('wire-status.txt'));
      const ready = await until(() =>
        messages.find((message) => {
          const data = message.result?.data as
            | { data?: { documentId?: string; status?: string } }
            | undefined;
          return data?.data?.documentId === document.id && data.data.status === 'ready' ? message : undefined;
        }),
      );
      expect(ready.result?.type).toBe('data');
      const tracked = ready.result?.data as { id: string; data: unknown };
      expect(tracked.id).toBe(ready.result?.id);
      expect(statusEventSchema.parse(tracked.data)).toMatchObject({
        documentId: document.id,
        status: 'ready',
      });
      socket.send(JSON.stringify({ id: 1, method: 'subscription.stop' }));
    } finally {
      socket.close();
    }
  });
});

/** The first `sh` block after a procedure's heading in docs/api.md: the curl line a reader copies. */
function curlLineOf(docs: string, path: string): string {
  const section = docs.slice(docs.indexOf(`### \`${path}\``));
  const match = /```sh\n([\s\S]*?)\n```/.exec(section);
  if (!match?.[1]) throw new Error(`no curl example for ${path}`);
  return match[1];
}

describe('the curl lines of docs/api.md, run as printed', async () => {
  const docs = await readFile(join(REPO_ROOT, DOCS_PATH), 'utf8');
  const run = promisify(execFile);

  it.each(['documents.list', 'topics.create', 'documents.upload'])('%s answers a result', async (path) => {
    const dir = await scratchDir('curl');
    try {
      await writeFile(join(dir.path, 'report.pdf'), '%PDF-1.4 not really a PDF');
      const { stdout } = await run('bash', ['-c', curlLineOf(docs, path)], {
        cwd: dir.path,
        timeout: 30_000,
        env: { ...process.env, DOCSTORE_URL: url, TOKEN: token },
      });
      expect(JSON.parse(stdout)).toHaveProperty('result.data');
    } finally {
      await dir.remove();
    }
  });
});
