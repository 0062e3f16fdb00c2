/**
 * The `docstore` command: `node --import tsx packages/cli/src/main.ts <args>` (what `pnpm docstore`
 * runs), or the package's bin shim, which registers tsx and imports this module. Importing it runs
 * the CLI; `runCli` in cli.ts is the same without the process around it.
 */
import { runCli } from './cli.ts';

process.exitCode = await runCli(process.argv.slice(2), process.env);
