import { Readable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import { describe, expect, it } from 'vitest';
import { createByteLimit } from './byte-limit.ts';

async function run(chunks: string[], max: number, declared?: number) {
  const limit = createByteLimit(max, declared);
  const out: string[] = [];
  await pipeline(Readable.from(chunks), limit, async (source: AsyncIterable<Buffer>) => {
    for await (const chunk of source) out.push(chunk.toString());
  });
  return { out: out.join(''), count: limit.count };
}

describe('createByteLimit', () => {
  it('passes bytes through and counts them', async () => {
    expect(await run(['ab', 'cd'], 4)).toEqual({ out: 'abcd', count: 4 });
  });

  it('fails with PAYLOAD_TOO_LARGE one byte past the limit', async () => {
    await expect(run(['ab', 'cde'], 4)).rejects.toMatchObject({ code: 'PAYLOAD_TOO_LARGE' });
  });

  it('fails with INVALID_INPUT when the body is shorter or longer than declared', async () => {
    await expect(run(['abc'], 10, 4)).rejects.toMatchObject({ code: 'INVALID_INPUT' });
    await expect(run(['abcde'], 10, 4)).rejects.toMatchObject({ code: 'INVALID_INPUT' });
    expect(await run(['ab', 'cd'], 10, 4)).toEqual({ out: 'abcd', count: 4 });
  });
});
