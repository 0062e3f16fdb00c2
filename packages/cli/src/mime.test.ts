import { describe, expect, it } from 'vitest';
import { mimeTypeFor } from './mime.ts';

describe('mimeTypeFor', () => {
  it('goes by the extension, in any case', () => {
    expect(mimeTypeFor('march.pdf')).toBe('application/pdf');
    expect(mimeTypeFor('/tmp/Photo.JPG')).toBe('image/jpeg');
    expect(mimeTypeFor('notes.md')).toBe('text/markdown');
  });

  it('falls back to application/octet-stream', () => {
    expect(mimeTypeFor('data.weird')).toBe('application/octet-stream');
    expect(mimeTypeFor('Makefile')).toBe('application/octet-stream');
    expect(mimeTypeFor('.pdf')).toBe('application/octet-stream');
  });
});
