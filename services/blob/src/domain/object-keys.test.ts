import { describe, expect, it } from 'vitest';
import { deriveExtension, generateObjectKey } from './object-keys.ts';

describe('deriveExtension', () => {
  it.each([
    ['report.PDF', undefined, '.pdf'],
    ['a/b\\c.Docx', undefined, '.docx'],
    ['../../etc/passwd', undefined, ''],
    ['.bashrc', undefined, ''],
    ['dir.v2/readme', 'text/markdown', '.md'],
    ['x.tar.gz', undefined, '.gz'],
    ['bad.e x t', 'text/plain', '.txt'],
    ['bad.ext\u0000', 'image/png', '.png'],
    ['eleven.abcdefghijk', undefined, ''],
    ['trailing.', 'application/pdf; charset=binary', '.pdf'],
    ['', 'application/x-unknown', ''],
    ['ümlaut.päf', undefined, ''],
  ])('%j with %s → %j', (name, mimeType, expected) => {
    expect(deriveExtension(name, mimeType)).toBe(expected);
  });
});

describe('generateObjectKey', () => {
  it('is {userId}/{documentId}/{uuid v4}{ext}, lower-cased, and new every time', () => {
    const userId = 'AAAAAAAA-BBBB-4CCC-8DDD-EEEEEEEEEEEE';
    const documentId = '11111111-2222-4333-8444-555555555555';
    const first = generateObjectKey(userId, documentId, 'Secret Plans.PDF');
    const second = generateObjectKey(userId, documentId, 'Secret Plans.PDF');
    expect(first).toMatch(
      /^aaaaaaaa-bbbb-4ccc-8ddd-eeeeeeeeeeee\/11111111-2222-4333-8444-555555555555\/[0-9a-f-]{36}\.pdf$/,
    );
    expect(first).not.toBe(second);
    expect(first.toLowerCase()).not.toContain('secret');
  });
});
