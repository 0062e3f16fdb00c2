import { createHash, randomBytes, randomUUID } from 'node:crypto';
import { mkdir, mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { basename, join } from 'node:path';
import { type DocumentPage, type DocumentView, mintToken, type TopicView } from '@docstore/contract';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { type CliRun, runCli } from '../support/cli.ts';

/** The CLI against the test stack, as this file's user. */
const docstore = (args: string[], options: { via?: 'main' | 'bin'; cwd?: string } = {}): Promise<CliRun> =>
  runCli(args, { url: inject('metadataUrl'), token, ...options });

/** Runs a command that must succeed with `--json`, and parses what it printed. */
async function json<T>(args: string[]): Promise<T> {
  const run = await docstore([...args, '--json']);
  expect(run.stderr.match(/^docstore: .*$/m)).toBeNull();
  expect(run.code).toBe(0);
  return JSON.parse(run.stdout) as T;
}

const sha256 = (bytes: Uint8Array) => createHash('sha256').update(bytes).digest('hex');
const unique = (prefix: string) => `${prefix}-${randomUUID().slice(0, 8)}`;

let dir: string;
/** The run's test user: every CLI process gets it in DOCSTORE_TOKEN. */
let token: string;

beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'docstore-cli-'));
  token = await mintToken({ secret: inject('authSecret'), userId: inject('devUserId'), ttlSeconds: 3600 });
});

afterAll(async () => {
  await rm(dir, { recursive: true, force: true });
});

describe('docstore CLI', () => {
  it('uploads (proxied and direct), lists, counts, downloads and deletes documents', async () => {
    const topic = unique('cli-topic');
    const created = await json<TopicView>(['topics', 'create', topic, '--color', '#336699']);
    expect(created).toMatchObject({ name: topic, color: '#336699', documentCount: 0 });

    const notes = randomBytes(300 * 1024);
    const scan = randomBytes(3 * 1024 * 1024 + 17);
    const notesPath = join(dir, `${unique('notes')}.txt`);
    const scanPath = join(dir, `${unique('scan')}.bin`);
    await writeFile(notesPath, notes);
    await writeFile(scanPath, scan);

    const proxied = await docstore(['upload', notesPath, '--topic', topic, '--json']);
    expect(proxied.code).toBe(0);
    const [viaService] = JSON.parse(proxied.stdout) as DocumentView[];
    expect(viaService).toMatchObject({
      name: basename(notesPath),
      size: notes.length,
      sha256: sha256(notes),
      status: 'ready',
      topics: [topic],
    });
    // Progress went to stderr, one line per status change (not a terminal), from the live events:
    // without them there would be no line at all.
    expect(proxied.stderr).toMatch(
      new RegExp(`^${basename(notesPath)}  0%  0 B / 300\\.0 KiB  pending$`, 'm'),
    );
    expect(proxied.stderr).toMatch(
      new RegExp(`^${basename(notesPath)}  100%  300\\.0 KiB / 300\\.0 KiB  ready$`, 'm'),
    );

    const direct = await docstore(['upload', scanPath, '--direct', '--json']);
    expect(direct.code).toBe(0);
    const [viaStorage] = JSON.parse(direct.stdout) as DocumentView[];
    expect(viaStorage).toMatchObject({
      name: basename(scanPath),
      size: scan.length,
      status: 'ready',
      topics: [],
    });
    // The service does not read directly uploaded bytes back, so it may not know their hash.
    expect([null, sha256(scan)]).toContain(viaStorage?.sha256);
    if (!viaService || !viaStorage) throw new Error('no documents uploaded');

    const all = await json<DocumentPage>(['list', '--all']);
    expect(all.nextCursor).toBeNull();
    expect(all.items.map((item) => item.id)).toEqual(expect.arrayContaining([viaService.id, viaStorage.id]));
    const tagged = await json<DocumentPage>(['list', '--topic', topic]);
    expect(tagged.items.map((item) => item.id)).toEqual([viaService.id]);
    expect(await json<Record<string, number>>(['counts'])).toMatchObject({ [topic]: 1 });

    const human = await docstore(['list', '--topic', topic]);
    expect(human.stdout).toMatch(
      new RegExp(`^${viaService.id}\\s+${basename(notesPath)}\\s+300\\.0 KiB\\s+ready`, 'm'),
    );

    // To a chosen path, then under the document's own name through the bin shim, from another folder.
    const target = join(dir, 'out', 'notes-copy.txt');
    await mkdir(join(dir, 'out'));
    const saved = await json<{ path: string; document: DocumentView }>([
      'download',
      viaService.id,
      '-o',
      target,
    ]);
    expect(saved.path).toBe(target);
    expect(sha256(await readFile(target))).toBe(sha256(notes));
    const viaBin = await docstore(['download', viaStorage.id], { via: 'bin', cwd: join(dir, 'out') });
    expect(viaBin.code).toBe(0);
    expect(sha256(await readFile(join(dir, 'out', basename(scanPath))))).toBe(sha256(scan));

    // Never overwrites silently.
    await writeFile(target, 'precious');
    const refused = await docstore(['download', viaService.id, '-o', target]);
    expect(refused.code).toBe(4);
    expect(refused.stderr).toMatch(/already exists \(use --force to overwrite\)/);
    expect(await readFile(target, 'utf8')).toBe('precious');
    expect((await docstore(['download', viaService.id, '-o', target, '--force'])).code).toBe(0);
    expect(sha256(await readFile(target))).toBe(sha256(notes));

    expect(await json<{ id: string }>(['delete', viaService.id])).toEqual({ id: viaService.id });
    const gone = await docstore(['get', viaService.id]);
    expect(gone.code).toBe(3);
    expect(gone.stderr).toBe(`docstore: not found: document ${viaService.id}\n`);
    expect(await json<Record<string, number>>(['counts'])).toMatchObject({ [topic]: 0 });
    expect((await json<DocumentView>(['get', viaStorage.id])).id).toBe(viaStorage.id);
    expect((await docstore(['delete', viaStorage.id])).code).toBe(0);
  });

  it('counts a topic, renames it and deletes it, keeping its documents', async () => {
    const topic = unique('cli-counted');
    const created = await json<TopicView>(['topics', 'create', topic, '--description', 'from the CLI']);
    const path = join(dir, `${unique('counted')}.md`);
    await writeFile(path, '# counted\n');
    const [document] = await json<DocumentView[]>(['upload', path, '--topic', topic]);
    expect(document).toMatchObject({ status: 'ready', topics: [topic] });
    expect(await json<Record<string, number>>(['counts'])).toMatchObject({ [topic]: 1 });

    const renamed = unique('cli-renamed');
    expect(await json<TopicView>(['topics', 'rename', created.id, renamed])).toMatchObject({
      id: created.id,
      name: renamed,
      description: 'from the CLI',
      documentCount: 1,
    });
    const counts = await json<Record<string, number>>(['counts']);
    expect(counts).toMatchObject({ [renamed]: 1 });
    expect(counts).not.toHaveProperty(topic);

    expect(await json<{ name: string; removedFrom: number }>(['topics', 'delete', created.id])).toEqual({
      name: renamed,
      removedFrom: 1,
    });
    expect(await json<TopicView[]>(['topics'])).not.toContainEqual(
      expect.objectContaining({ id: created.id }),
    );
    if (!document) throw new Error('no document uploaded');
    expect(await json<DocumentView>(['get', document.id])).toMatchObject({ id: document.id, topics: [] });
  });

  it('exits 4 with the field named when the server refuses the input', async () => {
    const color = await docstore(['topics', 'create', unique('cli-bad'), '--color', 'red']);
    expect(color).toMatchObject({
      code: 4,
      stdout: '',
      stderr: 'docstore: invalid input: color: color must be #rrggbb\n',
    });

    const topic = unique('cli-twice');
    await json<TopicView>(['topics', 'create', topic]);
    const twice = await docstore(['topics', 'create', topic.toUpperCase()]);
    expect(twice.code).toBe(4);
    expect(twice.stderr).toMatch(/^docstore: conflict: /);

    const path = join(dir, `${unique('untagged')}.txt`);
    await writeFile(path, 'x');
    const unknownTopic = await docstore(['upload', path, '--topic', unique('cli-missing')]);
    expect(unknownTopic.code).toBe(4);
    expect(unknownTopic.stderr).toMatch(/^docstore: invalid input: unknown topic: cli-missing-/m);
  });

  it('exits 1 and says so when the token is not accepted', async () => {
    const run = await docstore(['list', '--token', 'not-a-token']);
    expect(run).toMatchObject({ code: 1, stdout: '' });
    expect(run.stderr).toMatch(/^docstore: unauthorized: .+ \(give one with --token or DOCSTORE_TOKEN\)\n$/);
  });

  it('exits 5 with a clear message when the server is down', async () => {
    const list = await docstore(['--url', 'http://127.0.0.1:1', 'list']);
    expect(list).toMatchObject({
      code: 5,
      stdout: '',
      stderr: 'docstore: cannot reach the docstore server at http://127.0.0.1:1\n',
    });
    const path = join(dir, `${unique('nowhere')}.txt`);
    await writeFile(path, 'going nowhere');
    const upload = await docstore(['upload', path, '--url', 'http://127.0.0.1:1']);
    expect(upload.code).toBe(5);
    expect(upload.stderr).toMatch(/^docstore: cannot reach the docstore server at http:\/\/127\.0\.0\.1:1$/m);
  });

  it('exits 2 on bad arguments without calling the server', async () => {
    for (const args of [
      ['list', '--limit', 'ten'],
      ['frobnicate'],
      ['get'],
      ['list', '--bogus'],
      ['upload', join(dir, 'does-not-exist.pdf')],
    ]) {
      const run = await docstore([...args, '--url', 'http://127.0.0.1:1']);
      expect(run.code, args.join(' ')).toBe(2);
      expect(run.stdout).toBe('');
      expect(run.stderr).toMatch(/^docstore: [^\n]+\n$/);
    }
    const help = await docstore(['--help']);
    expect(help.code).toBe(0);
    expect(help.stdout).toMatch(/docstore upload <file…>/);
  });

  it('tells a malformed id (4) from a missing document (3)', async () => {
    const malformed = await docstore(['get', 'not-a-uuid']);
    expect(malformed).toMatchObject({ code: 4, stderr: 'docstore: invalid input: id: Invalid UUID\n' });
    const missing = randomUUID();
    const download = await docstore(['download', missing, '-o', join(dir, 'never.bin')]);
    expect(download).toMatchObject({ code: 3, stderr: `docstore: not found: document ${missing}\n` });
  });
});
