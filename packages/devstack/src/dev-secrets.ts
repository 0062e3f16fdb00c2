import { randomBytes, randomUUID } from 'node:crypto';
import { readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';

/**
 * A value kept in the data folder: made once, read back on every later start, so that encrypted
 * settings and the dev user's data survive a restart.
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

/** The dev defaults `pnpm start` fills in when they are not configured. */
export async function devDefaults(dataDir: string, env: NodeJS.ProcessEnv): Promise<Record<string, string>> {
  return {
    DEV_USER_ID: env.DEV_USER_ID ?? (await persisted(dataDir, 'dev-user-id', randomUUID)),
    SETTINGS_ENCRYPTION_KEY:
      env.SETTINGS_ENCRYPTION_KEY ??
      (await persisted(dataDir, 'settings-encryption-key', () => randomBytes(32).toString('hex'))),
  };
}
