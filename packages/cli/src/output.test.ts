import { describe, expect, it } from 'vitest';
import { formatBytes, formatCounts, formatTable } from './output.ts';

describe('formatBytes', () => {
  it('uses binary units', () => {
    expect(formatBytes(0)).toBe('0 B');
    expect(formatBytes(1023)).toBe('1023 B');
    expect(formatBytes(1536)).toBe('1.5 KiB');
    expect(formatBytes(200 * 1024 * 1024)).toBe('200.0 MiB');
    expect(formatBytes(5 * 1024 ** 3)).toBe('5.0 GiB');
  });
});

describe('formatTable', () => {
  it('aligns columns without trailing spaces', () => {
    expect(
      formatTable(
        ['ID', 'NAME', 'NOTE'],
        [
          ['1', 'a-long-name', ''],
          ['22', 'b', 'x'],
        ],
      ),
    ).toBe(['ID  NAME         NOTE', '1   a-long-name', '22  b            x'].join('\n'));
  });
});

describe('formatCounts', () => {
  it('lists topics by name', () => {
    expect(formatCounts({ tax: 2, Invoices: 0 })).toBe(
      ['TOPIC     DOCUMENTS', 'Invoices  0', 'tax       2'].join('\n'),
    );
  });
});
