import { randomBytes, randomUUID } from 'node:crypto';
import { mintToken } from '@docstore/contract';
import { describe, expect, it } from 'vitest';
import { createTokenVerifier } from './token-verifier.ts';

const secret = () => randomBytes(32).toString('hex');

describe('JWT secret rotation', () => {
  const current = secret();
  const previous = secret();
  const userId = randomUUID();
  const token = (signingSecret: string, ttlSeconds = 600) =>
    mintToken({ secret: signingSecret, userId, ttlSeconds });

  it('accepts tokens of the current secret and, during the rotation window, of the previous one', async () => {
    const verify = createTokenVerifier({ AUTH_JWT_SECRET: current, AUTH_JWT_SECRET_PREVIOUS: previous });
    expect(await verify(await token(current))).toMatchObject({ userId });
    expect(await verify(await token(previous))).toMatchObject({ userId });
  });

  it('refuses the previous secret once the window is over, and any other secret always', async () => {
    const afterWindow = createTokenVerifier({ AUTH_JWT_SECRET: current });
    expect(await afterWindow(await token(previous))).toBeNull();
    const during = createTokenVerifier({ AUTH_JWT_SECRET: current, AUTH_JWT_SECRET_PREVIOUS: previous });
    expect(await during(await token(secret()))).toBeNull();
  });

  it('does not let the previous secret rescue an expired token', async () => {
    const verify = createTokenVerifier({ AUTH_JWT_SECRET: current, AUTH_JWT_SECRET_PREVIOUS: previous });
    expect(await verify(await token(previous, -60))).toBeNull();
    expect(await verify(await token(current, -60))).toBeNull();
  });
});

describe('the cache of verified tokens', () => {
  const current = secret();
  const userId = randomUUID();

  it('refuses a cached token once its exp has passed', async () => {
    let clock = Date.now();
    const verify = createTokenVerifier({ AUTH_JWT_SECRET: current }, { now: () => clock });
    const token = await mintToken({ secret: current, userId, ttlSeconds: 60 });
    const session = await verify(token);
    expect(session).toMatchObject({ userId });
    // Still valid: served (jose would accept it too).
    clock = (session?.expiresAt ?? 0) - 1;
    expect(await verify(token)).toMatchObject({ userId });
    // From the second of `exp` on, refused, though jose on the real clock would still accept it.
    clock = session?.expiresAt ?? 0;
    expect(await verify(token)).toBeNull();
  });

  it('keeps only tokens that passed, and any changed byte is verified afresh', async () => {
    const verify = createTokenVerifier({ AUTH_JWT_SECRET: current });
    const token = await mintToken({ secret: current, userId, ttlSeconds: 60 });
    expect(await verify(token)).toMatchObject({ userId });
    const tampered = `${token.slice(0, -2)}${token.endsWith('AA') ? 'BB' : 'AA'}`;
    expect(await verify(tampered)).toBeNull();
    expect(await verify(await mintToken({ secret: secret(), userId, ttlSeconds: 60 }))).toBeNull();
    expect(await verify(token)).toMatchObject({ userId });
  });

  it('stays within its size, evicting the oldest entry', async () => {
    let clock = Date.now();
    const verify = createTokenVerifier({ AUTH_JWT_SECRET: current }, { now: () => clock, cacheSize: 2 });
    const tokens = await Promise.all(
      [1, 2, 3].map((n) => mintToken({ secret: current, userId, ttlSeconds: 60 + n })),
    );
    for (const token of tokens) expect(await verify(token)).toMatchObject({ userId });
    // Past every exp on the fake clock: the two cached tokens are refused by the cache, the evicted
    // one goes back to jose (real clock), which still accepts it.
    clock += 3_600_000;
    expect(await verify(tokens[2])).toBeNull();
    expect(await verify(tokens[1])).toBeNull();
    expect(await verify(tokens[0])).toMatchObject({ userId });
  });
});
