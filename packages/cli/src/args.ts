import { type ParseArgsConfig, parseArgs } from 'node:util';
import { UsageError } from './errors.ts';

/** Where the CLI looks for the server when neither `--url` nor `DOCSTORE_URL` says. */
export const DEFAULT_URL = 'http://127.0.0.1:4000';

/** One parsed command line: what to run, against which server, in which output mode. */
export interface Invocation {
  command: Command;
  /** Machine output: the API's objects as JSON on stdout. */
  json: boolean;
  url: string;
  /** `--token`, else `DOCSTORE_TOKEN`; see token.ts for the dev fallback. */
  token?: string;
}

/** `docstore topics [create|rename|delete]`: `topic` is a topic name, `id` a topic id. */
export type TopicsCommand =
  | { name: 'topics'; action: 'list' }
  | {
      name: 'topics';
      action: 'create';
      topic: string;
      description?: string;
      color?: string;
      match?: MatchFlags;
    }
  | { name: 'topics'; action: 'rename'; id: string; topic: string }
  | { name: 'topics'; action: 'update'; id: string; description?: string; color?: string; match?: MatchFlags }
  | { name: 'topics'; action: 'delete'; id: string };

/** `--match <algorithm> --pattern <text> [--case-sensitive]`: a topic's matching rule. */
export interface MatchFlags {
  algorithm: string;
  pattern: string;
  caseSensitive: boolean;
}

/** A command with its operands and options, checked as far as the CLI can without the server. */
export type Command =
  | { name: 'help'; command?: CommandName }
  | {
      name: 'upload';
      files: string[];
      topics: string[];
      direct: boolean;
      skipDuplicates: boolean;
      /** Follow each document's processing to its end (default), or return once it is ready. */
      wait: boolean;
    }
  | { name: 'search'; query: string; topic?: string; limit?: number }
  | { name: 'suggestions'; id: string; apply: boolean }
  | { name: 'list'; topic?: string; limit?: number; all: boolean }
  | { name: 'get'; id: string }
  | { name: 'download'; id: string; output?: string; force: boolean }
  | { name: 'delete'; id: string }
  | TopicsCommand
  | { name: 'counts' }
  | { name: 'token'; user: string; ttl: string };

type Options = NonNullable<ParseArgsConfig['options']>;

const GLOBAL_OPTIONS = {
  json: { type: 'boolean' },
  url: { type: 'string' },
  token: { type: 'string' },
  help: { type: 'boolean', short: 'h' },
} as const satisfies Options;

const COMMAND_OPTIONS = {
  upload: {
    topic: { type: 'string', multiple: true },
    direct: { type: 'boolean' },
    'skip-duplicates': { type: 'boolean' },
    'no-wait': { type: 'boolean' },
  },
  search: { topic: { type: 'string' }, limit: { type: 'string' } },
  suggestions: { apply: { type: 'boolean' } },
  list: { topic: { type: 'string' }, limit: { type: 'string' }, all: { type: 'boolean' } },
  get: {},
  download: { output: { type: 'string', short: 'o' }, force: { type: 'boolean', short: 'f' } },
  delete: {},
  topics: {
    description: { type: 'string' },
    color: { type: 'string' },
    match: { type: 'string' },
    pattern: { type: 'string' },
    'case-sensitive': { type: 'boolean' },
  },
  counts: {},
  token: { user: { type: 'string' }, ttl: { type: 'string' } },
} as const satisfies Record<string, Options>;

/** The command words: `upload`, `list`, `get`, `download`, `delete`, `topics`, `counts`. */
export type CommandName = keyof typeof COMMAND_OPTIONS;

function isCommandName(value: string): value is CommandName {
  return Object.hasOwn(COMMAND_OPTIONS, value);
}

/**
 * Finds the command word: the first argument that is neither an option nor the value of a global
 * option that takes one (`--url`, `--token`). Global options may come before or after it.
 */
function findCommand(argv: readonly string[]): number {
  for (let index = 0; index < argv.length; index++) {
    const arg = argv[index];
    if (arg === undefined || arg === '--') return -1;
    if (arg === '--url' || arg === '--token') index++;
    else if (!arg.startsWith('-')) return index;
  }
  return -1;
}

/** parseArgs, with its errors turned into usage errors. */
function parse<const O extends Options>(args: string[], options: O) {
  try {
    return parseArgs({ args, options, allowPositionals: true, strict: true });
  } catch (error) {
    throw new UsageError(error instanceof Error ? error.message : String(error));
  }
}

function expectPositionals(command: string, positionals: string[], names: string[]): string[] {
  if (positionals.length < names.length) {
    throw new UsageError(`${command}: missing ${names.slice(positionals.length).join(' and ')}`);
  }
  if (positionals.length > names.length) {
    throw new UsageError(`${command}: unexpected argument '${positionals[names.length]}'`);
  }
  return positionals;
}

/** A positive integer argument, e.g. `--limit 20`. */
export function parsePositiveInteger(option: string, value: string): number {
  if (!/^\d+$/.test(value) || Number(value) < 1 || !Number.isSafeInteger(Number(value))) {
    throw new UsageError(`${option} must be a positive integer, got '${value}'`);
  }
  return Number(value);
}

/**
 * Where relative paths resolve: the process's cwd, except under `pnpm docstore`, which runs the
 * script from the workspace root and leaves the caller's folder in INIT_CWD.
 */
export function workingDirectory(env: NodeJS.ProcessEnv, cwd: string): string {
  return env.npm_lifecycle_event === 'docstore' && env.INIT_CWD ? env.INIT_CWD : cwd;
}

/** The server URL: `--url`, else `DOCSTORE_URL`, else the default; it must be http(s). */
export function resolveUrl(flag: string | undefined, env: NodeJS.ProcessEnv): string {
  const raw = flag ?? (env.DOCSTORE_URL || DEFAULT_URL);
  let url: URL;
  try {
    url = new URL(raw);
  } catch {
    throw new UsageError(`not a URL: '${raw}'`);
  }
  if (url.protocol !== 'http:' && url.protocol !== 'https:') {
    throw new UsageError(`the server URL must be http: or https:, got '${raw}'`);
  }
  return raw;
}

function matchFlags(values: {
  match?: string;
  pattern?: string;
  'case-sensitive'?: boolean;
}): MatchFlags | undefined {
  if (values.match === undefined) {
    if (values.pattern !== undefined || values['case-sensitive'] !== undefined)
      throw new UsageError('--pattern and --case-sensitive go with --match <algorithm>');
    return undefined;
  }
  return {
    algorithm: values.match,
    pattern: values.pattern ?? '',
    caseSensitive: values['case-sensitive'] ?? false,
  };
}

function topicsCommand(
  positionals: string[],
  values: {
    description?: string;
    color?: string;
    match?: string;
    pattern?: string;
    'case-sensitive'?: boolean;
  },
): Command {
  const [action = 'list', ...rest] = positionals;
  const editing = action === 'create' || action === 'update';
  if (
    !editing &&
    (values.description !== undefined || values.color !== undefined || values.match !== undefined)
  ) {
    throw new UsageError('--description, --color and --match go with `topics create` and `topics update`');
  }
  const match = matchFlags(values);
  switch (action) {
    case 'list':
      expectPositionals('topics list', rest, []);
      return { name: 'topics', action: 'list' };
    case 'create': {
      const [topic = ''] = expectPositionals('topics create', rest, ['<name>']);
      return {
        name: 'topics',
        action: 'create',
        topic,
        description: values.description,
        color: values.color,
        match,
      };
    }
    case 'update': {
      const [id = ''] = expectPositionals('topics update', rest, ['<id>']);
      return {
        name: 'topics',
        action: 'update',
        id,
        description: values.description,
        color: values.color,
        match,
      };
    }
    case 'rename': {
      const [id = '', topic = ''] = expectPositionals('topics rename', rest, ['<id>', '<new name>']);
      return { name: 'topics', action: 'rename', id, topic };
    }
    case 'delete': {
      const [id = ''] = expectPositionals('topics delete', rest, ['<id>']);
      return { name: 'topics', action: 'delete', id };
    }
    default:
      throw new UsageError(`topics: unknown action '${action}' (list, create, update, rename, delete)`);
  }
}

interface Parsed {
  command: Command;
  json: boolean;
  url?: string;
  token?: string;
}

/** The global options as a command's parse found them. */
function globalsOf(values: { json?: boolean; url?: string; token?: string }): Omit<Parsed, 'command'> {
  return { json: values.json ?? false, url: values.url, token: values.token };
}

function commandOf(name: CommandName, args: string[]): Parsed {
  switch (name) {
    case 'upload': {
      const { values, positionals } = parse(args, { ...GLOBAL_OPTIONS, ...COMMAND_OPTIONS.upload });
      if (values.help) return { command: { name: 'help', command: name }, json: false };
      if (positionals.length === 0) throw new UsageError('upload: missing <file>');
      const command: Command = {
        name,
        files: positionals,
        topics: values.topic ?? [],
        direct: values.direct ?? false,
        skipDuplicates: values['skip-duplicates'] ?? false,
        wait: !(values['no-wait'] ?? false),
      };
      return { command, ...globalsOf(values) };
    }
    case 'search': {
      const { values, positionals } = parse(args, { ...GLOBAL_OPTIONS, ...COMMAND_OPTIONS.search });
      if (values.help) return { command: { name: 'help', command: name }, json: false };
      if (positionals.length === 0) throw new UsageError('search: missing <query>');
      const limit = values.limit === undefined ? undefined : parsePositiveInteger('--limit', values.limit);
      return {
        command: { name, query: positionals.join(' '), topic: values.topic, limit },
        ...globalsOf(values),
      };
    }
    case 'suggestions': {
      const { values, positionals } = parse(args, { ...GLOBAL_OPTIONS, ...COMMAND_OPTIONS.suggestions });
      if (values.help) return { command: { name: 'help', command: name }, json: false };
      const [id = ''] = expectPositionals(name, positionals, ['<id>']);
      return { command: { name, id, apply: values.apply ?? false }, ...globalsOf(values) };
    }
    case 'list': {
      const { values, positionals } = parse(args, { ...GLOBAL_OPTIONS, ...COMMAND_OPTIONS.list });
      if (values.help) return { command: { name: 'help', command: name }, json: false };
      expectPositionals(name, positionals, []);
      const limit = values.limit === undefined ? undefined : parsePositiveInteger('--limit', values.limit);
      const command: Command = { name, topic: values.topic, limit, all: values.all ?? false };
      return { command, ...globalsOf(values) };
    }
    case 'download': {
      const { values, positionals } = parse(args, { ...GLOBAL_OPTIONS, ...COMMAND_OPTIONS.download });
      if (values.help) return { command: { name: 'help', command: name }, json: false };
      const [id = ''] = expectPositionals(name, positionals, ['<id>']);
      const command: Command = { name, id, output: values.output, force: values.force ?? false };
      return { command, ...globalsOf(values) };
    }
    case 'get':
    case 'delete': {
      const { values, positionals } = parse(args, GLOBAL_OPTIONS);
      if (values.help) return { command: { name: 'help', command: name }, json: false };
      const [id = ''] = expectPositionals(name, positionals, ['<id>']);
      return { command: { name, id }, ...globalsOf(values) };
    }
    case 'topics': {
      const { values, positionals } = parse(args, { ...GLOBAL_OPTIONS, ...COMMAND_OPTIONS.topics });
      if (values.help) return { command: { name: 'help', command: name }, json: false };
      return { command: topicsCommand(positionals, values), ...globalsOf(values) };
    }
    case 'counts': {
      const { values, positionals } = parse(args, GLOBAL_OPTIONS);
      if (values.help) return { command: { name: 'help', command: name }, json: false };
      expectPositionals(name, positionals, []);
      return { command: { name }, ...globalsOf(values) };
    }
    case 'token': {
      const { values, positionals } = parse(args, { ...GLOBAL_OPTIONS, ...COMMAND_OPTIONS.token });
      if (values.help) return { command: { name: 'help', command: name }, json: false };
      expectPositionals(name, positionals, []);
      if (values.user === undefined) throw new UsageError('token: missing --user <uuid>');
      return { command: { name, user: values.user, ttl: values.ttl ?? '1h' }, ...globalsOf(values) };
    }
  }
}

/**
 * Parses `docstore [global options] <command> [arguments and options]`. Throws `UsageError` (exit
 * code 2) for anything it cannot make sense of; `--help` anywhere yields the `help` command.
 */
export function parseInvocation(argv: readonly string[], env: NodeJS.ProcessEnv): Invocation {
  const at = findCommand(argv);
  const word = at === -1 ? undefined : argv[at];
  if (word === undefined || word === 'help') {
    const rest = at === -1 ? [...argv] : argv.filter((_, index) => index !== at);
    const { values, positionals } = parse(rest, GLOBAL_OPTIONS);
    const [topic] = positionals;
    if (word === undefined && !values.help) throw new UsageError('missing command');
    if (topic !== undefined && !isCommandName(topic)) throw new UsageError(`unknown command '${topic}'`);
    return { command: { name: 'help', command: topic }, json: false, url: DEFAULT_URL };
  }
  if (!isCommandName(word)) throw new UsageError(`unknown command '${word}'`);
  const parsed = commandOf(
    word,
    argv.filter((_, index) => index !== at),
  );
  if (parsed.command.name === 'help') return { command: parsed.command, json: false, url: DEFAULT_URL };
  const token = parsed.token ?? (env.DOCSTORE_TOKEN || undefined);
  return { command: parsed.command, json: parsed.json, url: resolveUrl(parsed.url, env), token };
}
