import { z } from 'zod';

/**
 * Parses the process environment with a service's schema (empty values count as unset). A bad value stops the process at start
 * with one line per variable that is wrong.
 */
export function parseEnv<Schema extends z.ZodType>(schema: Schema, env: NodeJS.ProcessEnv): z.output<Schema> {
  // An empty variable counts as unset (`X=` in a shell, `${X:-}` in compose files).
  const set = Object.fromEntries(Object.entries(env).filter(([, value]) => value !== ''));
  const result = schema.safeParse(set);
  if (result.success) return result.data;
  const lines = result.error.issues.map((issue) => `  ${issue.path.join('.') || '(env)'}: ${issue.message}`);
  throw new Error(`invalid configuration:\n${lines.join('\n')}`);
}

/** The shutdown variable every service reads (spread into its env schema). */
export const shutdownEnvShape = {
  /** After SIGTERM, how long running calls get to finish before they are aborted. */
  SHUTDOWN_GRACE_SECONDS: z.coerce.number().min(0).max(3600).default(20),
};
