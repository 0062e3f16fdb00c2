import { createCipheriv, createHash, randomBytes, randomUUID } from 'node:crypto';
import { createMetadataClient, mintToken } from '@docstore/contract';
import { createDatabase, type ServiceProcess, startService } from '@docstore/devstack';
import pg from 'pg';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { errorOf } from '../support/metadata.ts';
import { metadataEnv, testSecrets } from '../support/stack.ts';

const hex = (bytes: number) => randomBytes(bytes).toString('hex');

/** A value as the service sealed it before key ids existed (`v1:` + base64(iv | tag | ciphertext)). */
function sealV1(keyHex: string, plaintext: string): string {
  const iv = randomBytes(12);
  const cipher = createCipheriv('aes-256-gcm', Buffer.from(keyHex, 'hex'), iv);
  const ciphertext = Buffer.concat([cipher.update(plaintext, 'utf8'), cipher.final()]);
  return `v1:${Buffer.concat([iv, cipher.getAuthTag(), ciphertext]).toString('base64')}`;
}

/**
 * The operator's rotation, through the real service restarted three times on a database of its own:
 * new keys with the old ones kept for reading, then the old ones dropped.
 */
describe('rotating SETTINGS_ENCRYPTION_KEY and AUTH_JWT_SECRET', () => {
  const oldKey = hex(32);
  const newKey = hex(32);
  const oldJwt = hex(32);
  const newJwt = hex(32);
  const [alice, bob] = [randomUUID(), randomUUID()];
  let databaseUrl: string;
  let running: ServiceProcess | undefined;

  const start = async (env: Record<string, string>) => {
    await running?.stop();
    running = await startService('metadata', metadataEnv(databaseUrl, inject('blobUrl'), testSecrets(), env));
    return running;
  };
  const clientOf = async (service: ServiceProcess, secret: string, userId: string) =>
    createMetadataClient({
      url: service.url,
      token: await mintToken({ secret, userId, ttlSeconds: 600 }),
    });
  const stored = async () => {
    const db = new pg.Client({ connectionString: databaseUrl });
    await db.connect();
    try {
      const { rows } = await db.query<{ user_id: string; api_key_ciphertext: string }>(
        'select user_id, api_key_ciphertext from user_settings order by user_id',
      );
      return new Map(rows.map((row) => [row.user_id, row.api_key_ciphertext]));
    } finally {
      await db.end();
    }
  };

  beforeAll(async () => {
    databaseUrl = await createDatabase(inject('postgresAdminUrl'), `rotation_${hex(4)}`);
  });
  afterAll(() => running?.stop());

  it('old values and old tokens keep working during the rotation; the old key is then retired', async () => {
    // Before: alice saves a key under the old settings key; bob's predates key ids (a `v1:` value).
    let service = await start({ SETTINGS_ENCRYPTION_KEY: oldKey, AUTH_JWT_SECRET: oldJwt });
    await (await clientOf(service, oldJwt, alice)).settings.update.mutate({ apiKey: 'sk-alice-1111' });
    await (await clientOf(service, oldJwt, bob)).settings.get.query();
    const db = new pg.Client({ connectionString: databaseUrl });
    await db.connect();
    await db.query(
      `insert into user_settings (user_id, api_key_ciphertext, updated_at) values ($1, $2, now())`,
      [bob, sealV1(oldKey, 'sk-bob-secret-2222')],
    );
    await db.end();

    // Rotation: new keys, the old ones kept for reading and verifying.
    service = await start({
      SETTINGS_ENCRYPTION_KEY: newKey,
      SETTINGS_ENCRYPTION_KEYS_OLD: oldKey,
      AUTH_JWT_SECRET: newJwt,
      AUTH_JWT_SECRET_PREVIOUS: oldJwt,
    });
    const oldTokenAlice = await clientOf(service, oldJwt, alice);
    expect((await oldTokenAlice.settings.get.query()).apiKey).toBe('••••••••1111');
    expect((await (await clientOf(service, newJwt, bob)).settings.get.query()).apiKey).toBe('••••••••2222');
    // Every value is sealed again with the new key in the background at start; a log line says so.
    const resealLog = () =>
      service.logs.find((line) => line.includes('settings resealed with the current key'));
    const deadline = Date.now() + 10_000;
    while (!resealLog()) {
      if (Date.now() > deadline) throw new Error('the values were not sealed again');
      await new Promise((resolve) => setTimeout(resolve, 100));
    }
    expect(resealLog()).toMatch(/"resealed":2\b/);
    const resealed = await stored();
    const newKeyId = createHash('sha256').update(Buffer.from(newKey, 'hex')).digest('hex').slice(0, 8);
    expect([...resealed.values()].map((value) => value.split(':').slice(0, 2).join(':'))).toEqual([
      `v2:${newKeyId}`,
      `v2:${newKeyId}`,
    ]);

    // After: the old key and the old secret are gone; everything still opens, old tokens do not.
    service = await start({ SETTINGS_ENCRYPTION_KEY: newKey, AUTH_JWT_SECRET: newJwt });
    expect((await (await clientOf(service, newJwt, alice)).settings.get.query()).apiKey).toBe('••••••••1111');
    expect((await (await clientOf(service, newJwt, bob)).settings.get.query()).apiKey).toBe('••••••••2222');
    expect(await errorOf((await clientOf(service, oldJwt, alice)).settings.get.query())).toMatchObject({
      code: 'UNAUTHORIZED',
    });
    expect(service.logs.join('\n')).not.toContain('sk-alice');
  });
});
