import { SignJWT } from 'jose';

/** Where `pnpm start` writes a ready-to-use token for the dev user, inside DOCSTORE_DATA_DIR. */
export const DEV_TOKEN_FILE = 'dev-token';

export interface MintTokenOptions {
  /** The HS256 secret the metadata service verifies with (AUTH_JWT_SECRET). */
  secret: string;
  /** The user the token speaks for: a UUID, carried as `sub`. */
  userId: string;
  /** Lifetime in seconds. */
  ttlSeconds: number;
  issuer?: string;
  audience?: string;
}

/** Signs an HS256 access token for docstore: `sub` is the user id. */
export function mintToken(options: MintTokenOptions): Promise<string> {
  let jwt = new SignJWT({})
    .setProtectedHeader({ alg: 'HS256', typ: 'JWT' })
    .setSubject(options.userId)
    .setIssuedAt()
    .setExpirationTime(Math.floor(Date.now() / 1000) + options.ttlSeconds);
  if (options.issuer) jwt = jwt.setIssuer(options.issuer);
  if (options.audience) jwt = jwt.setAudience(options.audience);
  return jwt.sign(new TextEncoder().encode(options.secret));
}

/** `1h`, `30m`, `7d`, `45s` or plain seconds, as a number of seconds; undefined when unreadable. */
export function parseTtl(text: string): number | undefined {
  const match = /^(\d+)\s*([smhd]?)$/.exec(text.trim());
  if (!match) return undefined;
  const unit = { '': 1, s: 1, m: 60, h: 3600, d: 86_400 }[match[2] ?? ''] ?? 1;
  const seconds = Number(match[1]) * unit;
  return seconds > 0 ? seconds : undefined;
}
