import { type ChildProcess, spawn } from 'node:child_process';
import { once } from 'node:events';
import { createInterface } from 'node:readline';
import { fileURLToPath } from 'node:url';

/** A floor server of the bench, running as a process of its own like the service it is compared with. */
export interface FloorProcess {
  url: string;
  port: number;
  child: ChildProcess;
  stop(): Promise<void>;
}

/**
 * Starts `bench/<file>` under tsx with `env` and resolves once it prints
 * `{"message":"listening","port":N}`.
 */
export async function startFloorProcess(file: string, env: Record<string, string>): Promise<FloorProcess> {
  const entry = fileURLToPath(new URL(`./${file}`, import.meta.url));
  const child = spawn(process.execPath, ['--import', 'tsx', entry], {
    env: { ...process.env, ...env },
    stdio: ['ignore', 'pipe', 'inherit'],
  });
  const port = await new Promise<number>((resolve, reject) => {
    child.once('exit', (code) => reject(new Error(`${file} exited with ${code}`)));
    createInterface({ input: child.stdout }).once('line', (line) => {
      const port = (JSON.parse(line) as { port?: number }).port;
      if (port) resolve(port);
      else reject(new Error(`${file} said: ${line}`));
    });
  });
  return {
    url: `http://127.0.0.1:${port}`,
    port,
    child,
    async stop() {
      if (child.exitCode !== null || child.signalCode !== null) return;
      const exited = once(child, 'exit');
      child.kill('SIGTERM');
      await exited;
    },
  };
}
