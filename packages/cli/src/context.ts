import type { MetadataClient } from '@docstore/contract';
import type { Output } from './output.ts';

/** What every command runs with. */
export interface CommandContext {
  /** The metadata service's base URL. */
  url: string;
  /** The access token the client sends; the status socket needs it too. */
  token: string | undefined;
  client: MetadataClient;
  out: Output;
  /** Aborted on Ctrl-C: long transfers stop and clean up. */
  signal: AbortSignal;
  /** Where relative paths resolve and downloads land by default. */
  cwd: string;
  /** Where progress goes (stderr). */
  progressStream: NodeJS.WriteStream;
  /** The environment the CLI runs in (AUTH_JWT_SECRET, DOCSTORE_DATA_DIR, …). */
  env: NodeJS.ProcessEnv;
}
