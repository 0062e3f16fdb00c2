import { mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { DEV_TOKEN_FILE } from '@docstore/contract';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { isLoopback, resolveToken } from './token.ts';

let dir: string;

beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'docstore-cli-token-'));
  await mkdir(join(dir, '.docstore'));
  await writeFile(join(dir, '.docstore', DEV_TOKEN_FILE), 'dev.token.here\n');
  await mkdir(join(dir, 'elsewhere'));
  await writeFile(join(dir, 'elsewhere', DEV_TOKEN_FILE), 'other.token\n');
});

afterAll(async () => {
  await rm(dir, { recursive: true, force: true });
});

describe('resolveToken', () => {
  it('prefers the token it was given', async () => {
    expect(await resolveToken('given', 'http://127.0.0.1:4000', {}, dir)).toBe('given');
  });

  it('falls back to the dev token of a local stack', async () => {
    expect(await resolveToken(undefined, 'http://127.0.0.1:4000', {}, dir)).toBe('dev.token.here');
    expect(
      await resolveToken(undefined, 'http://localhost:4100', { DOCSTORE_DATA_DIR: 'elsewhere' }, dir),
    ).toBe('other.token');
  });

  it('never sends the dev token to another machine, and copes with none', async () => {
    expect(await resolveToken(undefined, 'https://docstore.example.com', {}, dir)).toBeUndefined();
    expect(
      await resolveToken(undefined, 'http://127.0.0.1:4000', { DOCSTORE_DATA_DIR: 'missing' }, dir),
    ).toBeUndefined();
  });
});

describe('isLoopback', () => {
  it('knows the loopback names', () => {
    expect(isLoopback('http://127.0.0.1:1')).toBe(true);
    expect(isLoopback('http://localhost')).toBe(true);
    expect(isLoopback('http://[::1]:4000')).toBe(true);
    expect(isLoopback('http://10.0.0.5:4000')).toBe(false);
  });
});
