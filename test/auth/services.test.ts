import { randomBytes, randomUUID } from 'node:crypto';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import {
  createBlobClient,
  createMetadataClient,
  mintToken,
  putObject,
  uploadDocument,
} from '@docstore/contract';
import { type ServiceProcess, startService } from '@docstore/devstack';
import { exportJWK, generateKeyPair, SignJWT } from 'jose';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { errorOf, queryDatabase } from '../support/metadata.ts';
import { metadataEnv, startPrivateBlobStack, testSecrets } from '../support/stack.ts';

describe('the blob service trusts only the metadata service', () => {
  const url = inject('blobUrl');
  const meta = () => ({ userId: randomUUID(), documentId: randomUUID(), name: 'a.txt' });

  it.each([
    ['no credential', undefined],
    ['a wrong credential', 'wrong-credential-0123456789'],
    ['the right credential with a suffix', `${inject('blobServiceToken')}x`],
  ])('%s: every object call is UNAUTHORIZED, health still answers', async (_, token) => {
    const client = createBlobClient({ url, token });
    const key = `${randomUUID()}/${randomUUID()}/${randomUUID()}.txt`;
    for (const call of [
      () => putObject(client, meta(), new Blob(['x'])),
      () => client.objects.stat.query({ key }),
      () => client.objects.delete.mutate({ key }),
      () => client.objects.presignGet.mutate({ key }),
      () => client.objects.presignPut.mutate(meta()),
    ]) {
      expect(await errorOf(call())).toMatchObject({ code: 'UNAUTHORIZED', appCode: 'UNAUTHORIZED' });
    }
    const route = await fetch(
      `${url}/objects/${key}`,
      token ? { headers: { authorization: `Bearer ${token}` } } : {},
    );
    expect(route.status).toBe(401);
    expect(await client.health.query()).toMatchObject({ ok: true });
    expect((await fetch(`${url}/healthz`)).status).toBe(200);
  });

  it('presigned URLs keep working without the credential: S3 checks those', async () => {
    const client = createBlobClient({ url, token: inject('blobServiceToken') });
    const stored = await putObject(client, meta(), new Blob(['signed by S3']));
    const { url: presigned } = await client.objects.presignGet.mutate({ key: stored.key });
    expect(await (await fetch(presigned)).text()).toBe('signed by S3');
  });
});

describe('tokens from an identity provider (JWKS)', () => {
  let jwks: Server;
  let metadata: ServiceProcess;
  let sign: (claims: { iss: string; aud: string; sub: string }) => Promise<string>;

  beforeAll(async () => {
    const { publicKey, privateKey } = await generateKeyPair('RS256');
    const jwk = { ...(await exportJWK(publicKey)), kid: 'test-key', alg: 'RS256', use: 'sig' };
    jwks = createServer((_req, res) => {
      res.writeHead(200, { 'content-type': 'application/json' });
      res.end(JSON.stringify({ keys: [jwk] }));
    });
    await new Promise<void>((resolve) => jwks.listen(0, '127.0.0.1', resolve));
    const jwksUrl = `http://127.0.0.1:${(jwks.address() as AddressInfo).port}/.well-known/jwks.json`;
    sign = (claims) =>
      new SignJWT({})
        .setProtectedHeader({ alg: 'RS256', kid: 'test-key' })
        .setIssuer(claims.iss)
        .setAudience(claims.aud)
        .setSubject(claims.sub)
        .setExpirationTime('10m')
        .sign(privateKey);
    metadata = await startService(
      'metadata',
      metadataEnv(inject('databaseUrl'), inject('blobUrl'), testSecrets(), {
        AUTH_JWT_SECRET: '',
        AUTH_JWKS_URL: jwksUrl,
        AUTH_ISSUER: 'https://idp.test',
        AUTH_AUDIENCE: 'docstore',
      }),
    );
  });
  afterAll(async () => {
    await metadata.stop();
    await new Promise((resolve) => jwks.close(resolve));
  });

  it('accepts the provider’s token with the right issuer and audience, nothing else', async () => {
    const sub = randomUUID();
    const good = createMetadataClient({
      url: metadata.url,
      token: await sign({ iss: 'https://idp.test', aud: 'docstore', sub }),
    });
    expect(await good.topics.list.query()).toEqual([]);
    for (const token of [
      await sign({ iss: 'https://idp.test', aud: 'another-app', sub }),
      await sign({ iss: 'https://evil.test', aud: 'docstore', sub }),
      await mintToken({
        secret: inject('authSecret'),
        userId: sub,
        ttlSeconds: 60,
        issuer: 'https://idp.test',
        audience: 'docstore',
      }),
    ]) {
      const client = createMetadataClient({ url: metadata.url, token });
      expect(await errorOf(client.topics.list.query())).toMatchObject({ code: 'UNAUTHORIZED' });
    }
  });
});

describe('client addresses and secrets', () => {
  const settingsKey = randomBytes(32).toString('hex');
  let trusting: ServiceProcess;

  beforeAll(async () => {
    trusting = await startService(
      'metadata',
      metadataEnv(inject('databaseUrl'), inject('blobUrl'), testSecrets(), {
        TRUST_PROXY: 'true',
        SETTINGS_ENCRYPTION_KEY: settingsKey,
      }),
    );
  });
  afterAll(() => trusting.stop());

  async function auditedIp(baseUrl: string, forwardedFor: string): Promise<string | undefined> {
    const token = await mintToken({ secret: inject('authSecret'), userId: randomUUID(), ttlSeconds: 60 });
    const response = await fetch(`${baseUrl}/trpc/topics.create`, {
      method: 'POST',
      headers: {
        authorization: `Bearer ${token}`,
        'content-type': 'application/json',
        'x-forwarded-for': forwardedFor,
      },
      body: JSON.stringify({ name: 'via proxy' }),
    });
    const { result } = (await response.json()) as { result: { data: { id: string } } };
    const [row] = await queryDatabase<{ ip: string }>(
      'select host(ip_address) as ip from audit_log where target_id = $1',
      [result.data.id],
    );
    return row?.ip;
  }

  it('X-Forwarded-For is honoured only with TRUST_PROXY', async () => {
    expect(await auditedIp(trusting.url, '203.0.113.7, 10.0.0.1')).toBe('203.0.113.7');
    expect(await auditedIp(inject('metadataUrl'), '203.0.113.7')).toMatch(/^(::ffff:)?127\.0\.0\.1$/);
  });

  it('no secret appears in a log line, an error or a response', async () => {
    const blobStack = await startPrivateBlobStack();
    try {
      const secrets = testSecrets();
      const apiKey = `sk-${randomBytes(12).toString('hex')}`;
      const token = await mintToken({ secret: secrets.authSecret, userId: randomUUID(), ttlSeconds: 60 });
      const client = createMetadataClient({ url: trusting.url, token });
      const responses: string[] = [];
      responses.push(JSON.stringify(await client.settings.update.mutate({ apiKey })));
      responses.push(JSON.stringify(await client.settings.get.query()));
      responses.push(JSON.stringify(await uploadDocument(client, { name: 'a.txt' }, new Blob(['a']))));
      responses.push(JSON.stringify(await errorOf(client.settings.update.mutate({ apiKey: '' }))));
      const wrongSecret = await mintToken({
        secret: `${secrets.authSecret}00`,
        userId: randomUUID(),
        ttlSeconds: 60,
      });
      const intruder = createMetadataClient({ url: trusting.url, token: wrongSecret });
      responses.push(JSON.stringify(await errorOf(intruder.topics.list.query())));
      const wrongBlob = createBlobClient({ url: blobStack.blob.url, token: `${secrets.serviceToken}0` });
      responses.push(
        JSON.stringify(
          await errorOf(
            wrongBlob.objects.stat.query({ key: `${randomUUID()}/${randomUUID()}/${randomUUID()}` }),
          ),
        ),
      );
      const logs = [...trusting.logs, ...blobStack.blob.logs].join('\n');
      for (const secret of [
        secrets.authSecret,
        secrets.serviceToken,
        settingsKey,
        apiKey,
        token,
        wrongSecret,
      ]) {
        expect(logs).not.toContain(secret);
        for (const response of responses) expect(response).not.toContain(secret);
      }
      // The key itself is only ever answered masked.
      expect(responses[0]).toContain(apiKey.slice(-4));
    } finally {
      await blobStack.stop();
    }
  });
});
