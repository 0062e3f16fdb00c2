import { describe, expect, it } from 'vitest';
import { attachmentDisposition } from './content-disposition.ts';

describe('attachmentDisposition', () => {
  it('keeps a plain ASCII name in both parameters', () => {
    expect(attachmentDisposition('report.pdf')).toBe(
      `attachment; filename="report.pdf"; filename*=UTF-8''report.pdf`,
    );
  });

  it('encodes non-ASCII names per RFC 5987 with an ASCII fallback', () => {
    expect(attachmentDisposition('évil näme.pdf')).toBe(
      `attachment; filename="_vil n_me.pdf"; filename*=UTF-8''%C3%A9vil%20n%C3%A4me.pdf`,
    );
  });

  it('cannot be broken out of: quotes, backslashes and control characters are neutralised', () => {
    const header = attachmentDisposition('a"; filename="evil.exe\r\nX-Injected: 1\\.txt');
    expect(header).not.toMatch(/[\r\n]/);
    expect(header).toBe(
      `attachment; filename="a_; filename=_evil.exeX-Injected: 1_.txt"; filename*=UTF-8''a%22%3B%20filename%3D%22evil.exeX-Injected%3A%201%5C.txt`,
    );
  });

  it('falls back to "download" when nothing printable is left', () => {
    expect(attachmentDisposition('\u0000\u0001')).toBe(`attachment; filename="download"; filename*=UTF-8''`);
  });
});
