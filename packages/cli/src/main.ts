/**
 * The `docstore` command: what `pnpm docstore` runs from the sources (through tsx), and what the
 * package's bin shim runs compiled (dist/main.js). Importing it runs the CLI; `runCli` in cli.ts is
 * the same without the process around it.
 */
// First: an unsupported Node.js gets one clear line, not a stack trace.
import '@docstore/server-kit/require-node';
import { runCli } from './cli.ts';

process.exitCode = await runCli(process.argv.slice(2), process.env);
