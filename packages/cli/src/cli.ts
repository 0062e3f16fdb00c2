import { createMetadataClient } from '@docstore/contract';
import { type Command, type Invocation, parseInvocation, workingDirectory } from './args.ts';
import { deleteDocument, getDocument, listDocuments } from './commands/documents.ts';
import { download } from './commands/download.ts';
import { search, suggestions } from './commands/search.ts';
import { mintCommandToken } from './commands/token.ts';
import { counts, topics } from './commands/topics.ts';
import { upload } from './commands/upload.ts';
import type { CommandContext } from './context.ts';
import { describeError, EXIT, type ExitCode, UsageError } from './errors.ts';
import { helpText } from './help.ts';
import { createOutput } from './output.ts';
import { resolveToken } from './token.ts';

function run(ctx: CommandContext, command: Exclude<Command, { name: 'help' }>): Promise<void> {
  switch (command.name) {
    case 'upload':
      return upload(ctx, command);
    case 'list':
      return listDocuments(ctx, command);
    case 'get':
      return getDocument(ctx, command.id);
    case 'download':
      return download(ctx, command);
    case 'delete':
      return deleteDocument(ctx, command.id);
    case 'topics':
      return topics(ctx, command);
    case 'counts':
      return counts(ctx);
    case 'token':
      return mintCommandToken(ctx, command);
    case 'search':
      return search(ctx, command);
    case 'suggestions':
      return suggestions(ctx, command);
  }
}

/** Ctrl-C aborts the command (uploads and downloads stop and clean up); a second one exits at once. */
function interruptible(): { signal: AbortSignal; dispose(): void } {
  const controller = new AbortController();
  const onSignal = () => {
    if (controller.signal.aborted) process.exit(EXIT.INTERRUPTED);
    controller.abort();
  };
  process.on('SIGINT', onSignal);
  return { signal: controller.signal, dispose: () => process.off('SIGINT', onSignal) };
}

/**
 * Runs one `docstore` command line and resolves with its exit code; output goes to stdout, progress
 * and the one-line error message to stderr.
 */
export async function runCli(argv: readonly string[], env: NodeJS.ProcessEnv): Promise<ExitCode> {
  let invocation: Invocation;
  try {
    invocation = parseInvocation(argv, env);
  } catch (error) {
    const { message, exitCode } = describeError(error, '');
    const hint = error instanceof UsageError ? ' (see docstore --help)' : '';
    process.stderr.write(`docstore: ${message}${hint}\n`);
    return exitCode;
  }
  const { command, url, json } = invocation;
  if (command.name === 'help') {
    process.stdout.write(helpText(command.command));
    return EXIT.OK;
  }
  const interrupt = interruptible();
  // The dev stack's token file is looked for where `pnpm start` runs: the workspace root under pnpm.
  const token = await resolveToken(invocation.token, url, env, process.cwd());
  const ctx: CommandContext = {
    url,
    token,
    client: createMetadataClient({ url, token }),
    out: createOutput(json),
    signal: interrupt.signal,
    cwd: workingDirectory(env, process.cwd()),
    progressStream: process.stderr,
    env,
  };
  try {
    await run(ctx, command);
    return EXIT.OK;
  } catch (error) {
    if (interrupt.signal.aborted) {
      process.stderr.write('docstore: interrupted\n');
      return EXIT.INTERRUPTED;
    }
    const { message, exitCode } = describeError(error, url);
    process.stderr.write(`docstore: ${message}\n`);
    return exitCode;
  } finally {
    interrupt.dispose();
  }
}
