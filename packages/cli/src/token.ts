import { readFile } from 'node:fs/promises';
import { resolve } from 'node:path';
import { DEV_TOKEN_FILE } from '@docstore/contract';

const LOOPBACK_HOSTS = new Set(['127.0.0.1', 'localhost', '[::1]']);

/** True for a server on this machine: the only kind the dev stack's token is ever sent to. */
export function isLoopback(url: string): boolean {
  return LOOPBACK_HOSTS.has(new URL(url).hostname);
}

/**
 * The access token to send: `--token` or `DOCSTORE_TOKEN` when given; else, for a server on this
 * machine, the dev user's token that `pnpm start` leaves in its data folder (`$DOCSTORE_DATA_DIR`,
 * default `.docstore`, from `dir`), so that `pnpm start` then `pnpm docstore …` needs no setup.
 * Undefined when there is none: the server then answers UNAUTHORIZED.
 */
export async function resolveToken(
  given: string | undefined,
  url: string,
  env: NodeJS.ProcessEnv,
  dir: string,
): Promise<string | undefined> {
  if (given !== undefined) return given;
  if (!isLoopback(url)) return undefined;
  const file = resolve(dir, env.DOCSTORE_DATA_DIR || '.docstore', DEV_TOKEN_FILE);
  const token = await readFile(file, 'utf8').then(
    (text) => text.trim(),
    () => '',
  );
  return token === '' ? undefined : token;
}
