import { describe, expect, it } from 'vitest';
import { localFileName } from './download.ts';

const id = '00000000-0000-4000-8000-000000000001';

describe('localFileName', () => {
  it('keeps a plain name', () => {
    expect(localFileName({ id, name: 'march report.pdf' })).toBe('march report.pdf');
  });

  it('never leaves the target folder', () => {
    expect(localFileName({ id, name: '../../etc/passwd' })).toBe('passwd');
    expect(localFileName({ id, name: '..\\..\\boot.ini' })).toBe('boot.ini');
    expect(localFileName({ id, name: '/abs/path.txt' })).toBe('path.txt');
    expect(localFileName({ id, name: '..' })).toBe(id);
    expect(localFileName({ id, name: 'dir/' })).toBe('dir');
    expect(localFileName({ id, name: '/' })).toBe(id);
  });
});
