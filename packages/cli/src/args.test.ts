import { describe, expect, it } from 'vitest';
import { DEFAULT_URL, parseInvocation, workingDirectory } from './args.ts';
import { UsageError } from './errors.ts';

const parse = (argv: string[], env: NodeJS.ProcessEnv = {}) => parseInvocation(argv, env);

function usageError(argv: string[]): string {
  try {
    parse(argv);
  } catch (error) {
    expect(error).toBeInstanceOf(UsageError);
    return (error as UsageError).message;
  }
  throw new Error(`expected ${argv.join(' ')} to be a usage error`);
}

describe('parseInvocation', () => {
  it('parses upload with repeated topics, --direct and several files', () => {
    expect(parse(['upload', 'a.pdf', '--topic', 'x', 'b.txt', '--topic', 'y z', '--direct'])).toEqual({
      command: {
        name: 'upload',
        files: ['a.pdf', 'b.txt'],
        topics: ['x', 'y z'],
        direct: true,
        skipDuplicates: false,
        wait: true,
      },
      json: false,
      url: DEFAULT_URL,
    });
  });

  it('parses upload --skip-duplicates --no-wait, search, suggestions and topic rules', () => {
    expect(parse(['upload', 'a.pdf', '--skip-duplicates', '--no-wait']).command).toMatchObject({
      skipDuplicates: true,
      wait: false,
    });
    expect(parse(['search', 'water', 'damage', '--limit', '5']).command).toEqual({
      name: 'search',
      query: 'water damage',
      topic: undefined,
      limit: 5,
    });
    expect(parse(['suggestions', 'abc', '--apply']).command).toEqual({
      name: 'suggestions',
      id: 'abc',
      apply: true,
    });
    expect(parse(['topics', 'update', 'abc', '--match', 'regex', '--pattern', 'inv-\\d+']).command).toEqual({
      name: 'topics',
      action: 'update',
      id: 'abc',
      description: undefined,
      color: undefined,
      match: { algorithm: 'regex', pattern: 'inv-\\d+', caseSensitive: false },
    });
    expect(() => parse(['topics', 'create', 'x', '--pattern', 'y'])).toThrow(/go with --match/);
    expect(() => parse(['search'])).toThrow(/missing <query>/);
  });

  it('takes global options before or after the command', () => {
    const expected = { command: { name: 'get', id: 'abc' }, json: true, url: 'http://h:1' };
    expect(parse(['--json', '--url', 'http://h:1', 'get', 'abc'])).toEqual(expected);
    expect(parse(['get', 'abc', '--url=http://h:1', '--json'])).toEqual(expected);
  });

  it('takes the token from --token, else DOCSTORE_TOKEN', () => {
    expect(parse(['--token', 'abc', 'counts'], { DOCSTORE_TOKEN: 'env' }).token).toBe('abc');
    expect(parse(['counts'], { DOCSTORE_TOKEN: 'env' }).token).toBe('env');
    expect(parse(['counts'], { DOCSTORE_TOKEN: '' }).token).toBeUndefined();
  });

  it('picks the URL from --url, then DOCSTORE_URL, then the default', () => {
    const env = { DOCSTORE_URL: 'http://env:4000' };
    expect(parse(['counts', '--url', 'http://flag:1'], env).url).toBe('http://flag:1');
    expect(parse(['counts'], env).url).toBe('http://env:4000');
    expect(parse(['counts'], { DOCSTORE_URL: '' }).url).toBe(DEFAULT_URL);
  });

  it('parses list options', () => {
    expect(parse(['list', '--topic', 'Invoices', '--limit', '20', '--all']).command).toEqual({
      name: 'list',
      topic: 'Invoices',
      limit: 20,
      all: true,
    });
    expect(parse(['list']).command).toEqual({ name: 'list', topic: undefined, limit: undefined, all: false });
  });

  it('parses download with -o and --force', () => {
    expect(parse(['download', 'id1', '-o', 'out.pdf', '--force']).command).toEqual({
      name: 'download',
      id: 'id1',
      output: 'out.pdf',
      force: true,
    });
  });

  it('parses the topics actions', () => {
    expect(parse(['topics']).command).toEqual({ name: 'topics', action: 'list' });
    expect(
      parse(['topics', 'create', 'Tax 2025', '--color', '#112233', '--description', 'd']).command,
    ).toEqual({
      name: 'topics',
      action: 'create',
      topic: 'Tax 2025',
      color: '#112233',
      description: 'd',
    });
    expect(parse(['topics', 'rename', 'id1', 'New name']).command).toEqual({
      name: 'topics',
      action: 'rename',
      id: 'id1',
      topic: 'New name',
    });
    expect(parse(['topics', 'delete', 'id1']).command).toEqual({
      name: 'topics',
      action: 'delete',
      id: 'id1',
    });
  });

  it('treats everything after -- as operands', () => {
    expect(parse(['upload', '--', '--weird-name.txt']).command).toMatchObject({
      files: ['--weird-name.txt'],
    });
  });

  it('answers --help anywhere with help', () => {
    expect(parse(['--help']).command).toEqual({ name: 'help', command: undefined });
    expect(parse(['-h']).command).toEqual({ name: 'help', command: undefined });
    expect(parse(['help', 'upload']).command).toEqual({ name: 'help', command: 'upload' });
    expect(parse(['download', '--help']).command).toEqual({ name: 'help', command: 'download' });
  });

  it('rejects bad command lines with usage errors', () => {
    expect(usageError([])).toBe('missing command');
    expect(usageError(['frobnicate'])).toBe("unknown command 'frobnicate'");
    expect(usageError(['upload'])).toBe('upload: missing <file>');
    expect(usageError(['get'])).toBe('get: missing <id>');
    expect(usageError(['get', 'a', 'b'])).toBe("get: unexpected argument 'b'");
    expect(usageError(['topics', 'rename', 'id1'])).toBe('topics rename: missing <new name>');
    expect(usageError(['topics', 'explode'])).toMatch(/unknown action 'explode'/);
    expect(usageError(['topics', 'delete', 'id1', '--color', '#000000'])).toMatch(/topics create/);
    expect(usageError(['list', '--limit', 'ten'])).toBe("--limit must be a positive integer, got 'ten'");
    expect(usageError(['list', '--limit', '0'])).toMatch(/positive integer/);
    expect(usageError(['list', '--bogus'])).toMatch(/bogus/);
    expect(usageError(['get', 'x', '--direct'])).toMatch(/direct/);
    expect(usageError(['list', '--url', 'ftp://h'])).toMatch(/http: or https:/);
    expect(usageError(['list', '--url', 'not a url'])).toMatch(/not a URL/);
    expect(usageError(['list', '--url'])).toMatch(/url/);
  });
});

describe('workingDirectory', () => {
  it('is the caller’s folder under `pnpm docstore`, else the cwd', () => {
    expect(workingDirectory({ npm_lifecycle_event: 'docstore', INIT_CWD: '/home/me/docs' }, '/repo')).toBe(
      '/home/me/docs',
    );
    // Another script's INIT_CWD (e.g. `pnpm test` around a spawned CLI) says nothing about this process.
    expect(workingDirectory({ npm_lifecycle_event: 'test', INIT_CWD: '/repo' }, '/tmp/x')).toBe('/tmp/x');
    expect(workingDirectory({}, '/tmp/x')).toBe('/tmp/x');
  });
});
