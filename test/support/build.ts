import { execFile } from 'node:child_process';
import { createRequire } from 'node:module';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';

const repo = fileURLToPath(new URL('../..', import.meta.url));

/**
 * e2e global setup, first: `pnpm build` (tsc -b, incremental: about a second when nothing changed),
 * for the tests that run what production runs, the compiled services (test/deploy) and the CLI's bin.
 */
export default async function build(): Promise<void> {
  const tsc = createRequire(import.meta.url).resolve('typescript/bin/tsc');
  await promisify(execFile)(process.execPath, [tsc, '-b', 'tsconfig.build.json'], { cwd: repo }).catch(
    (error: { stdout?: string; message: string }) => {
      throw new Error(`pnpm build failed:\n${error.stdout ?? error.message}`);
    },
  );
}
