import { randomUUID } from 'node:crypto';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { DocumentView, SearchPage, TopicView } from '@docstore/contract';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { runCli } from '../support/cli.ts';
import { tokenFor } from '../support/metadata.ts';

let dir: string;
let token: string;

beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'docstore-cli-processing-'));
  // A user of this file's own: search results and duplicates are per user.
  token = await tokenFor(randomUUID());
});
afterAll(() => rm(dir, { recursive: true, force: true }));

/** The CLI against the test stack, as this file's user. */
const docstore = (args: string[]) => runCli(args, { url: inject('metadataUrl'), token });

describe('docstore CLI: rules, processing, search, duplicates, suggestions', { timeout: 120_000 }, () => {
  it('follows an upload through processing, finds it by search, skips the same bytes again', async () => {
    const created = await docstore([
      'topics',
      'create',
      'Receipts',
      '--match',
      'any',
      '--pattern',
      'receipt',
      '--json',
    ]);
    expect(created.code).toBe(0);
    expect((JSON.parse(created.stdout) as TopicView).match).toEqual({
      algorithm: 'any',
      pattern: 'receipt',
      caseSensitive: false,
    });
    const refused = await docstore(['topics', 'create', 'Bad', '--match', 'regex', '--pattern', '(a)\\1']);
    expect(refused.code).toBe(4);
    expect(refused.stderr).toContain('invalid regular expression');

    const file = join(dir, 'lunch.txt');
    await writeFile(file, `Receipt for a lunch with the okapi team ${randomUUID()}`);
    const upload = await docstore(['upload', file, '--json']);
    expect(upload.code).toBe(0);
    // Not a terminal: one line per status change, through processing to its end.
    expect(upload.stderr).toMatch(/lunch\.txt.*ready\n.*lunch\.txt.*processed/s);
    const [document] = JSON.parse(upload.stdout) as DocumentView[];
    expect(document?.processing?.status).toBe('processed');
    expect(document?.topics).toEqual(['Receipts']);

    const search = await docstore(['search', 'okapi', '--json']);
    expect((JSON.parse(search.stdout) as SearchPage).items.map((hit) => hit.id)).toEqual([document?.id]);
    const human = await docstore(['search', 'okapi']);
    expect(human.stdout).toContain('<<okapi>>');

    const again = await docstore(['upload', file, '--skip-duplicates', '--json']);
    expect(again.code).toBe(0);
    expect(JSON.parse(again.stdout)).toEqual([]);
    expect(again.stderr).toContain(`skipped lunch.txt: already stored as lunch.txt (${document?.id})`);

    const suggestions = await docstore(['suggestions', document?.id ?? '']);
    expect(suggestions.code).toBe(0);
    expect(suggestions.stdout).toContain('no suggestions');
  });
});
