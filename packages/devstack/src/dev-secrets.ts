import { randomBytes, randomUUID } from 'node:crypto';
import { readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { DEV_TOKEN_FILE, mintToken } from '@docstore/contract';

/** How long the printed dev token lasts. */
const DEV_TOKEN_TTL_SECONDS = 30 * 24 * 3600;

/**
 * A value kept in the data folder (mode 0600): made once, read back on every later start, so that
 * encrypted settings, tokens and the dev user's data survive a restart.
 */
async function persisted(dataDir: string, file: string, make: () => string): Promise<string> {
  const path = join(dataDir, file);
  try {
    return (await readFile(path, 'utf8')).trim();
  } catch {
    const value = make();
    await writeFile(path, `${value}\n`, { mode: 0o600 });
    return value;
  }
}

const hex = (bytes: number) => () => randomBytes(bytes).toString('hex');

/** The secrets `pnpm start` fills in when they are not configured, for both services. */
export async function devSecrets(dataDir: string, env: NodeJS.ProcessEnv) {
  return {
    SETTINGS_ENCRYPTION_KEY:
      env.SETTINGS_ENCRYPTION_KEY ?? (await persisted(dataDir, 'settings-encryption-key', hex(32))),
    BLOB_SERVICE_TOKEN: env.BLOB_SERVICE_TOKEN ?? (await persisted(dataDir, 'blob-service-token', hex(24))),
    // With a JWKS URL the identity provider signs tokens; no shared secret then.
    ...(env.AUTH_JWKS_URL
      ? {}
      : { AUTH_JWT_SECRET: env.AUTH_JWT_SECRET ?? (await persisted(dataDir, 'auth-jwt-secret', hex(32))) }),
  };
}

/**
 * A token for the dev user (DEV_USER_ID, or one made once and kept), signed with the configured
 * secret and written to `$DOCSTORE_DATA_DIR/dev-token` for the CLI; undefined under a JWKS setup.
 */
export async function writeDevToken(
  dataDir: string,
  env: NodeJS.ProcessEnv,
  secret: string | undefined,
): Promise<{ token: string; userId: string; path: string } | undefined> {
  if (secret === undefined) return undefined;
  const userId = env.DEV_USER_ID ?? (await persisted(dataDir, 'dev-user-id', randomUUID));
  const token = await mintToken({
    secret,
    userId,
    ttlSeconds: DEV_TOKEN_TTL_SECONDS,
    issuer: env.AUTH_ISSUER,
    audience: env.AUTH_AUDIENCE,
  });
  const path = join(dataDir, DEV_TOKEN_FILE);
  await writeFile(path, `${token}\n`, { mode: 0o600 });
  return { token, userId, path };
}
