import { type ChildProcess, spawn } from 'node:child_process';
import { once } from 'node:events';
import { fileURLToPath } from 'node:url';

const ROOT = fileURLToPath(new URL('../../..', import.meta.url));

export type ServiceName = 'blob' | 'metadata';

export interface ServiceProcess {
  url: string;
  port: number;
  child: ChildProcess;
  /** Every line the service wrote, stdout and stderr. */
  logs: string[];
  stop(): Promise<void>;
}

/** The entry point of a service, as `pnpm start` runs it. */
export function serviceEntry(name: ServiceName): string {
  return `${ROOT}services/${name}/src/main.ts`;
}

/**
 * Starts a service as a real child process on port 0 and resolves once it logs `listening`.
 * Rejects with its output when it exits first.
 */
export async function startService(
  name: ServiceName,
  env: Record<string, string>,
  timeoutMs = 30_000,
): Promise<ServiceProcess> {
  const child = spawn(process.execPath, ['--import', 'tsx', serviceEntry(name)], {
    cwd: ROOT,
    env: { ...process.env, ...env },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  const logs: string[] = [];
  const port = await new Promise<number>((resolve, reject) => {
    const timer = setTimeout(
      () => reject(new Error(`${name} did not start:\n${logs.join('\n')}`)),
      timeoutMs,
    );
    const onLine = (text: string) => {
      for (const line of text.split('\n').filter(Boolean)) {
        logs.push(line);
        if (!line.includes('"listening"')) continue;
        clearTimeout(timer);
        resolve((JSON.parse(line) as { port: number }).port);
      }
    };
    child.stdout.setEncoding('utf8').on('data', onLine);
    child.stderr.setEncoding('utf8').on('data', onLine);
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
  const child = spawn(process.execPath, ['--import', 'tsx', serviceEntry(name)], {
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
