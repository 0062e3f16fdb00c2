import { randomUUID } from 'node:crypto';
import {
  createMetadataClient,
  createStatusSocket,
  type MetadataClient,
  mintToken,
  uploadDocument,
} from '@docstore/contract';
import { SignJWT } from 'jose';
import { describe, expect, inject, it } from 'vitest';
import { WebSocket } from 'ws';
import { errorOf, tokenFor } from '../support/metadata.ts';

const url = inject('metadataUrl');
const secret = inject('authSecret');
const ws = WebSocket as unknown as typeof globalThis.WebSocket;

function sign(claims: { sub?: string; exp?: number; aud?: string }, key = secret): Promise<string> {
  let jwt = new SignJWT({}).setProtectedHeader({ alg: 'HS256' }).setIssuedAt();
  if (claims.sub !== undefined) jwt = jwt.setSubject(claims.sub);
  if (claims.exp !== undefined) jwt = jwt.setExpirationTime(claims.exp);
  return jwt.sign(new TextEncoder().encode(key));
}

const now = () => Math.floor(Date.now() / 1000);

/** Tokens an attacker might try; none may get in, and none may learn why. */
const badTokens: Array<[string, () => Promise<string | undefined>]> = [
  ['no token', async () => undefined],
  ['garbage', async () => 'not.a.jwt'],
  ['an expired token', () => sign({ sub: randomUUID(), exp: now() - 10 })],
  ['a token signed with another secret', () => sign({ sub: randomUUID(), exp: now() + 600 }, 'x'.repeat(40))],
  ['a sub that is not a UUID', () => sign({ sub: 'null-user', exp: now() + 600 })],
  ['no sub', () => sign({ exp: now() + 600 })],
  ['no exp', () => sign({ sub: randomUUID() })],
  [
    'alg none',
    async () =>
      `${Buffer.from('{"alg":"none"}').toString('base64url')}.${Buffer.from(
        JSON.stringify({ sub: randomUUID(), exp: now() + 600 }),
      ).toString('base64url')}.`,
  ],
];

function everyProcedure(client: MetadataClient): Array<[string, () => Promise<unknown>]> {
  const id = randomUUID();
  return [
    ['documents.upload', () => uploadDocument(client, { name: 'x.txt' }, new Blob(['x']))],
    ['documents.get', () => client.documents.get.query({ id })],
    ['documents.list', () => client.documents.list.query({})],
    ['documents.delete', () => client.documents.delete.mutate({ id })],
    ['documents.setTopics', () => client.documents.setTopics.mutate({ id, topics: [] })],
    ['documents.downloadUrl', () => client.documents.downloadUrl.mutate({ id })],
    ['documents.createUpload', () => client.documents.createUpload.mutate({ name: 'x', size: 1 })],
    ['documents.completeUpload', () => client.documents.completeUpload.mutate({ id })],
    ['topics.list', () => client.topics.list.query()],
    ['topics.get', () => client.topics.get.query({ id })],
    ['topics.create', () => client.topics.create.mutate({ name: 'x' })],
    ['topics.update', () => client.topics.update.mutate({ id, name: 'y' })],
    ['topics.delete', () => client.topics.delete.mutate({ id })],
    ['topics.counts', () => client.topics.counts.query()],
    ['settings.get', () => client.settings.get.query()],
    ['settings.update', () => client.settings.update.mutate({ aiModel: 'm' })],
    ['audit.list', () => client.audit.list.query({})],
  ];
}

describe('access tokens', () => {
  it.each(badTokens)('%s: every procedure is UNAUTHORIZED with the same terse message', async (_, make) => {
    const client = createMetadataClient({ url, token: await make() });
    for (const [name, call] of everyProcedure(client)) {
      const error = await errorOf(call());
      expect({ name, code: error.code, appCode: error.appCode, message: error.message }).toEqual({
        name,
        code: 'UNAUTHORIZED',
        appCode: 'UNAUTHORIZED',
        message: 'a valid access token is required',
      });
    }
    // health is a probe: it answers anyone.
    expect(await client.health.query()).toMatchObject({ ok: true });
  });

  it.each(badTokens)('%s: a WebSocket subscription is refused', async (_, make) => {
    const socket = createStatusSocket({ url, token: await make(), WebSocket: ws });
    try {
      const client = createMetadataClient({ url, wsClient: socket });
      const outcome = await new Promise<unknown>((resolve) => {
        client.documents.onStatus.subscribe({}, { onData: resolve, onError: resolve });
      });
      expect(outcome).toMatchObject({ data: { code: 'UNAUTHORIZED' } });
    } finally {
      await socket.close();
    }
  });

  it('a valid token works, and the same user is the same whoever minted the token', async () => {
    const userId = randomUUID();
    const first = createMetadataClient({ url, token: await tokenFor(userId) });
    await first.topics.create.mutate({ name: 'mine' });
    const second = createMetadataClient({ url, token: await mintToken({ secret, userId, ttlSeconds: 60 }) });
    expect((await second.topics.list.query()).map((topic) => topic.name)).toEqual(['mine']);
  });

  it('a subscription is closed when its token expires', async () => {
    const token = await mintToken({ secret, userId: randomUUID(), ttlSeconds: 2 });
    const socket = createStatusSocket({ url, token, WebSocket: ws });
    try {
      const client = createMetadataClient({ url, wsClient: socket });
      const started = Date.now();
      const outcome = await new Promise<unknown>((resolve) => {
        client.documents.onStatus.subscribe({}, { onError: resolve, onComplete: () => resolve('completed') });
      });
      expect(outcome).toMatchObject({ data: { code: 'UNAUTHORIZED' }, message: 'the access token expired' });
      expect(Date.now() - started).toBeGreaterThan(500);
      expect(Date.now() - started).toBeLessThan(4_000);
    } finally {
      await socket.close();
    }
  });
});
