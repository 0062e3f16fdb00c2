import { createRemoteJWKSet, errors, type JWTVerifyGetKey, jwtVerify } from 'jose';
import { z } from 'zod';

export interface Session {
  userId: string;
  /** Milliseconds since the epoch; when the token stops being accepted. */
  expiresAt: number;
}

export interface TokenVerifierConfig {
  AUTH_JWT_SECRET?: string;
  /** During a rotation: the secret being retired, still accepted for verification (never for signing). */
  AUTH_JWT_SECRET_PREVIOUS?: string;
  AUTH_JWKS_URL?: string;
  AUTH_ISSUER?: string;
  AUTH_AUDIENCE?: string;
}

const subjectSchema = z.uuid();

/** Most verified tokens kept: a few MB at most, and only tokens that passed every check get in. */
export const TOKEN_CACHE_SIZE = 10_000;

export interface TokenVerifierOptions {
  /** The clock the cache checks `exp` against (tests move it). */
  now?: () => number;
  cacheSize?: number;
}

/**
 * Verifies access tokens: HS256 with the shared secret, or the keys of a JWKS endpoint (then issuer
 * and audience are checked). A token that fails any check is simply null: the caller answers
 * UNAUTHORIZED without saying which check failed. Tokens must expire (`exp`) and name a UUID `sub`.
 * With AUTH_JWT_SECRET_PREVIOUS, a token whose signature fails the current secret is checked against
 * the previous one (only a signature failure: an expired token stays refused).
 */
export function createTokenVerifier(
  config: TokenVerifierConfig,
  { now = Date.now, cacheSize = TOKEN_CACHE_SIZE }: TokenVerifierOptions = {},
): (token: string | undefined) => Promise<Session | null> {
  const key: Uint8Array | JWTVerifyGetKey = config.AUTH_JWKS_URL
    ? createRemoteJWKSet(new URL(config.AUTH_JWKS_URL))
    : new TextEncoder().encode(config.AUTH_JWT_SECRET ?? '');
  const previous = config.AUTH_JWT_SECRET_PREVIOUS
    ? new TextEncoder().encode(config.AUTH_JWT_SECRET_PREVIOUS)
    : undefined;
  const options = {
    algorithms: config.AUTH_JWKS_URL ? ['RS256', 'ES256', 'EdDSA', 'PS256'] : ['HS256'],
    issuer: config.AUTH_ISSUER,
    audience: config.AUTH_AUDIENCE,
    requiredClaims: ['exp', 'sub'],
  };
  // jose costs 100-150 µs a call (it imports the key each time), on every request of a session.
  // A verified token is kept by its exact text (any other byte is another key, verified afresh) and
  // served only while its `exp` is ahead: jose refuses from the second of `exp` on, so does the cache.
  // The signing keys are fixed for the life of the process (a rotation restarts it), and in JWKS mode
  // an entry lives no longer than its token either. Failures are never kept.
  const verified = new Map<string, Session>();
  const remember = (token: string, session: Session) => {
    if (cacheSize <= 0) return;
    if (verified.size >= cacheSize) verified.delete(verified.keys().next().value as string);
    verified.set(token, session);
  };
  return async (token) => {
    if (!token) return null;
    const cached = verified.get(token);
    if (cached) {
      if (now() < cached.expiresAt) return cached;
      verified.delete(token);
      return null;
    }
    try {
      const { payload } =
        typeof key === 'function'
          ? await jwtVerify(token, key, options)
          : await jwtVerify(token, key, options).catch((error: unknown) => {
              if (previous && error instanceof errors.JWSSignatureVerificationFailed)
                return jwtVerify(token, previous, options);
              throw error;
            });
      const userId = subjectSchema.safeParse(payload.sub);
      if (!userId.success || payload.exp === undefined) return null;
      const session = { userId: userId.data.toLowerCase(), expiresAt: payload.exp * 1000 };
      remember(token, session);
      return session;
    } catch {
      return null;
    }
  };
}

/** The token of `Authorization: Bearer <token>`, if that is what the header holds. */
export function bearerToken(authorization: string | null | undefined): string | undefined {
  return /^Bearer ([A-Za-z0-9._~+/=-]+)$/.exec(authorization ?? '')?.[1];
}
