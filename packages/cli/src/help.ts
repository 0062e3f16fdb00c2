import { type CommandName, DEFAULT_URL } from './args.ts';

const USAGE: Record<CommandName, string> = {
  upload: `docstore upload <file…> [--topic <name>]… [--direct] [--skip-duplicates] [--no-wait]
  Uploads each file (streamed, never read into memory) with a progress bar on stderr that follows
  the document through processing (text extraction, topic rules) to its end.
  --topic <name>       tag the documents (repeatable; the topic must exist)
  --direct             send the bytes straight to storage through a presigned URL
  --skip-duplicates    skip files whose bytes (SHA-256) are already stored
  --no-wait            stop following once the document is ready, before processing ends`,
  search: `docstore search <query…> [--topic <name>] [--limit <n>]
  Full-text search over your documents (web-search syntax: words, "phrases", -excluded, or);
  names match despite typos. Matches are shown between << and >>.`,
  suggestions: `docstore suggestions <id> [--apply]
  Shows the AI's topic suggestions for a document; --apply applies every pending one.`,
  list: `docstore list [--topic <name>] [--limit <n>] [--all]
  Lists documents, newest first: one page (default 50), or every page with --all.`,
  get: `docstore get <id>
  Shows one document.`,
  download: `docstore download <id> [-o <path>] [--force]
  Saves the document to <path> (default: its name in the current directory).
  Never overwrites an existing file unless --force is given.`,
  delete: `docstore delete <id>
  Deletes the document and its bytes.`,
  topics: `docstore topics
docstore topics create <name> [--description <text>] [--color <#rrggbb>] [--match <algorithm> --pattern <text> [--case-sensitive]]
docstore topics update <id> [--description <text>] [--color <#rrggbb>] [--match <algorithm> --pattern <text> [--case-sensitive]]
docstore topics rename <id> <new name>
docstore topics delete <id>
  Lists, creates, changes, renames and deletes topics (deleting keeps the documents).
  --match any|all|literal|regex|fuzzy|none: processed documents whose text matches get the topic.`,
  counts: `docstore counts
  Ready documents per topic.`,
  token: `docstore token --user <uuid> [--ttl <1h|30m|7d|seconds>]
  Mints an access token for a user with the configured secret: $AUTH_JWT_SECRET, else the
  dev secret \`pnpm start\` keeps in $DOCSTORE_DATA_DIR (or .docstore). Default lifetime 1h.`,
};

const GLOBAL = `Global options:
  --json         machine output on stdout: the API's objects as JSON
  --url <url>    the metadata service (default: $DOCSTORE_URL, else ${DEFAULT_URL})
  --token <jwt>  the access token (default: $DOCSTORE_TOKEN; for a server on this machine,
                 else the dev token \`pnpm start\` wrote in $DOCSTORE_DATA_DIR or .docstore)
  -h, --help     this help

Exit codes: 0 ok, 1 error, 2 bad arguments, 3 not found, 4 invalid input/conflict/too large,
5 server unreachable.`;

/** The help for one command, or for all of them. */
export function helpText(command?: CommandName): string {
  if (command !== undefined) return `Usage:\n${USAGE[command]}\n\n${GLOBAL}\n`;
  return `docstore: the command-line client of the docstore metadata service

Usage:
${Object.values(USAGE).join('\n\n')}

${GLOBAL}
`;
}
