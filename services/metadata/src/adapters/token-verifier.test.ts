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
