import { type ChildProcess, spawn } from 'node:child_process';
import { once } from 'node:events';
import { createInterface } from 'node:readline';
import { fileURLToPath } from 'node:url';

const ROOT = fileURLToPath(new URL('../../..', import.meta.url));

/** The two docstore services, and the embedded S3 and PostgreSQL servers run as processes of their own. */
export type ServiceName = 'blob' | 'metadata' | 's3' | 'postgres';

const ENTRIES: Record<ServiceName, string> = {
  blob: 'services/blob/src/main.ts',
  metadata: 'services/metadata/src/main.ts',
  s3: 'packages/devstack/src/s3-main.ts',
  postgres: 'packages/devstack/src/pg-main.ts',
};

const PARENT_WATCH = new URL('./parent-watch.ts', import.meta.url).href;

/**
 * Node's own flags each service runs with, wherever it runs: its Dockerfile's CMD, its package.json
 * `start`, docker-compose.yml's `command` (test/deploy/compose-files.test.ts holds them to this) and
 * every process devstack starts.
 *
 * The metadata service's young generation starts at 16 MiB a semi-space. Left to V8 it stayed at a
 * few MiB (V8 grows it only while much survives and shrinks it again when the service is quiet).
 * One status event to 1,000 WebSockets leaves each socket's last write behind until the next event:
 * with young collections every few MiB that residue lived through two of them and was promoted, so
 * every ~5 MiB of it cost a full collection of the service's ~50 MiB heap (7-18 ms paused, landing
 * on whichever event was being sent). At 16 MiB it dies young (docs/benchmarks.md).
 */
export const SERVICE_NODE_FLAGS: Record<'blob' | 'metadata', string[]> = {
  blob: [],
  metadata: ['--min-semi-space-size=16'],
};

const nodeFlagsOf = (name: string): string[] =>
  name === 'blob' || name === 'metadata' ? SERVICE_NODE_FLAGS[name] : [];

/**
 * How devstack runs a TypeScript entry point: from the workspace's sources (the `@docstore/source`
 * export condition, see README "Build"), through tsx, with the parent watch preloaded so that the
 * process ends when the one that started it dies.
 */
const NODE_ARGS = ['--conditions=@docstore/source', '--import', 'tsx', '--import', PARENT_WATCH];

/** Lines kept of a service's output: enough to explain a failure, bounded for a long run. */
const MAX_LOG_LINES = 2_000;

export interface ServiceProcess {
  url: string;
  port: number;
  child: ChildProcess;
  /** Every line the service wrote, stdout and stderr. */
  logs: string[];
  stop(): Promise<void>;
}

/** The port in a service's `listening` log line, if this is that line. */
function listeningPort(line: string): number | undefined {
  if (!line.startsWith('{')) return undefined;
  try {
    const entry = JSON.parse(line) as { message?: unknown; port?: unknown };
    return entry.message === 'listening' && typeof entry.port === 'number' ? entry.port : undefined;
  } catch {
    return undefined;
  }
}

/** The entry point of a service, as `pnpm start` runs it. */
export function serviceEntry(name: ServiceName): string {
  return ROOT + ENTRIES[name];
}

/**
 * Starts a service as a real child process on port 0 and resolves once it logs `listening`.
 * Rejects with its output when it exits first.
 */
export function startService(
  name: ServiceName,
  env: Record<string, string>,
  timeoutMs = 30_000,
): Promise<ServiceProcess> {
  return startProcess(serviceEntry(name), name, env, timeoutMs, nodeFlagsOf(name));
}

/**
 * Runs any TypeScript entry point under tsx the way `startService` runs a service (a benchmark's
 * floor server, say): it must log one JSON `{ "message": "listening", "port": N }` line.
 */
export function startProcess(
  entry: string,
  name: string,
  env: Record<string, string>,
  timeoutMs = 30_000,
  nodeFlags: string[] = [],
): Promise<ServiceProcess> {
  return startCommand([process.execPath, ...nodeFlags, ...NODE_ARGS, entry], { name, env, timeoutMs });
}

/**
 * Runs a file the way production runs code: Node alone (compiled JavaScript, or TypeScript with
 * erasable syntax only, which Node strips itself), workspace packages resolved to their compiled
 * `dist`, no tsx; with the parent watch preloaded. For servers measured against the built services
 * (`startBuiltService`). tsx's transform names every function it compiles (`__name(fn, …)`
 * redefines `name`, giving each such function object a property dictionary of its own), which
 * shipped code does not pay.
 */
export function startBuiltProcess(
  entry: string,
  name: string,
  env: Record<string, string>,
  timeoutMs = 30_000,
  nodeFlags: string[] = [],
): Promise<ServiceProcess> {
  return startCommand([process.execPath, ...nodeFlags, '--import', PARENT_WATCH, entry], {
    name,
    env,
    timeoutMs,
  });
}

/**
 * A service's compiled entry point (`pnpm build`, its image's `dist/main.js`) started as its image
 * starts it, with its Node flags.
 */
export function startBuiltService(
  name: 'blob' | 'metadata',
  env: Record<string, string>,
  timeoutMs = 30_000,
): Promise<ServiceProcess> {
  const entry = `${ROOT}services/${name}/dist/main.js`;
  return startBuiltProcess(entry, name, env, timeoutMs, SERVICE_NODE_FLAGS[name]);
}

export interface CommandOptions {
  name: string;
  /** Added to this process's environment (or, with `cleanEnv`, the whole environment). */
  env: Record<string, string>;
  /** Default: the repository's root. */
  cwd?: string;
  /** Default false: start from a copy of this process's environment. */
  cleanEnv?: boolean;
  timeoutMs?: number;
}

/**
 * Runs any command that logs one JSON `{ "message": "listening", "port": N }` line (a built service
 * started the way its image starts it, say) and resolves once it has.
 */
export async function startCommand(
  [command, ...args]: [string, ...string[]],
  { name, env, cwd = ROOT, cleanEnv = false, timeoutMs = 30_000 }: CommandOptions,
): Promise<ServiceProcess> {
  const child = spawn(command, args, {
    cwd,
    env: cleanEnv ? env : { ...process.env, ...env },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  const logs: string[] = [];
  const port = await new Promise<number>((resolve, reject) => {
    const timer = setTimeout(
      () => reject(new Error(`${name} did not start:\n${logs.join('\n')}`)),
      timeoutMs,
    );
    const onLine = (line: string) => {
      logs.push(line);
      if (logs.length > MAX_LOG_LINES) logs.shift();
      const port = listeningPort(line);
      if (port === undefined) return;
      clearTimeout(timer);
      resolve(port);
    };
    createInterface({ input: child.stdout }).on('line', onLine);
    createInterface({ input: child.stderr }).on('line', onLine);
    child.once('exit', (code) => {
      clearTimeout(timer);
      reject(new Error(`${name} exited with ${code}:\n${logs.join('\n')}`));
    });
  });
  return {
    url: `http://127.0.0.1:${port}`,
    port,
    child,
    logs,
    async stop() {
      if (child.exitCode !== null || child.signalCode !== null) return;
      const exited = once(child, 'exit');
      child.kill('SIGTERM');
      const timer = setTimeout(() => child.kill('SIGKILL'), 10_000);
      await exited;
      clearTimeout(timer);
    },
  };
}

/** Runs a service that should refuse to start, and returns its exit code and output. */
export async function runFailingService(
  name: ServiceName,
  env: Record<string, string>,
): Promise<{ code: number | null; output: string }> {
  const child = spawn(process.execPath, [...nodeFlagsOf(name), ...NODE_ARGS, serviceEntry(name)], {
    cwd: ROOT,
    env: { ...process.env, ...env },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let output = '';
  child.stdout.setEncoding('utf8').on('data', (text: string) => (output += text));
  child.stderr.setEncoding('utf8').on('data', (text: string) => (output += text));
  const [code] = (await once(child, 'exit')) as [number | null];
  return { code, output };
}
