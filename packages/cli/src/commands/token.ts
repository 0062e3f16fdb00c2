import { readFile } from 'node:fs/promises';
import { resolve } from 'node:path';
import { mintToken, parseTtl, uuidSchema } from '@docstore/contract';
import type { CommandContext } from '../context.ts';
import { UsageError } from '../errors.ts';

/** The file `pnpm start` keeps its generated HS256 secret in, inside the data folder. */
const DEV_SECRET_FILE = 'auth-jwt-secret';

/** The configured secret: AUTH_JWT_SECRET, else the dev stack's, else none. */
async function configuredSecret(ctx: CommandContext): Promise<string | undefined> {
  if (ctx.env.AUTH_JWT_SECRET) return ctx.env.AUTH_JWT_SECRET;
  const file = resolve(process.cwd(), ctx.env.DOCSTORE_DATA_DIR || '.docstore', DEV_SECRET_FILE);
  const secret = await readFile(file, 'utf8').then(
    (text) => text.trim(),
    () => '',
  );
  return secret === '' ? undefined : secret;
}

/** `docstore token --user <uuid> [--ttl 1h]`: an access token signed with the configured secret. */
export async function mintCommandToken(
  ctx: CommandContext,
  command: { user: string; ttl: string },
): Promise<void> {
  const user = uuidSchema.safeParse(command.user);
  if (!user.success) throw new UsageError('token: --user must be a UUID');
  const ttlSeconds = parseTtl(command.ttl);
  if (ttlSeconds === undefined)
    throw new UsageError('token: --ttl must look like 30m, 1h, 7d or a number of seconds');
  const secret = await configuredSecret(ctx);
  if (secret === undefined) {
    throw new UsageError(
      'token: no secret: set AUTH_JWT_SECRET (or run `pnpm start` once to make a dev secret)',
    );
  }
  const token = await mintToken({
    secret,
    userId: user.data,
    ttlSeconds,
    issuer: ctx.env.AUTH_ISSUER,
    audience: ctx.env.AUTH_AUDIENCE,
  });
  if (ctx.out.jsonMode) {
    ctx.out.json({
      token,
      userId: user.data,
      expiresAt: new Date(Date.now() + ttlSeconds * 1000).toISOString(),
    });
    return;
  }
  ctx.out.line(token);
}
