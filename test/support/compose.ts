import { readFile } from 'node:fs/promises';
import { fileURLToPath } from 'node:url';
import { parse } from 'yaml';

const repo = fileURLToPath(new URL('../..', import.meta.url));

export interface ComposeService {
  image?: string;
  build?: { context: string; dockerfile: string };
  command?: string[];
  environment?: Record<string, string>;
  restart?: string;
  healthcheck?: unknown;
  volumes?: string[];
}

/** A compose file as Docker Compose reads it: YAML with merge keys (`<<`) resolved, not yet interpolated. */
export async function readCompose(file: string): Promise<{ services: Record<string, ComposeService> }> {
  return parse(await readFile(repo + file, 'utf8'), { merge: true });
}

/**
 * Compose's interpolation of one value: `${NAME}`, `${NAME:-default}` (default when unset or
 * empty), `${NAME-default}` (default when unset) and `$$` for a literal `$`.
 */
export function interpolate(value: string, vars: Record<string, string | undefined>): string {
  return value.replace(
    /\$\$|\$\{(\w+)(?:(:?-)([^}]*))?\}/g,
    (match, name?: string, op?: string, fallback = '') => {
      if (name === undefined) return '$';
      const set = vars[name];
      if (op === ':-') return set === undefined || set === '' ? fallback : set;
      if (op === '-') return set === undefined ? fallback : set;
      if (set === undefined) throw new Error(`${match}: ${name} is not set`);
      return set;
    },
  );
}

/** A service's environment as compose gives it to the container, with `vars` as the .env file. */
export function composeEnvironment(
  service: ComposeService,
  vars: Record<string, string | undefined> = {},
): Record<string, string> {
  return Object.fromEntries(
    Object.entries(service.environment ?? {}).map(([name, value]) => [
      name,
      interpolate(String(value), vars),
    ]),
  );
}
