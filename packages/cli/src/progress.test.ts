import type { StatusEvent } from '@docstore/contract';
import { describe, expect, it } from 'vitest';
import {
  advanceProgress,
  formatBar,
  formatLogLine,
  formatProgress,
  initialProgress,
  truncateMiddle,
} from './progress.ts';

const MiB = 1024 * 1024;

function event(status: StatusEvent['status'], receivedBytes: number, atMs: number): StatusEvent {
  return {
    documentId: '00000000-0000-4000-8000-000000000001',
    status,
    receivedBytes,
    totalBytes: 200 * MiB,
    error: null,
    at: new Date(Date.UTC(2025, 0, 1) + atMs).toISOString(),
  };
}

describe('formatBar', () => {
  it('fills in proportion, with an arrow head until full', () => {
    expect(formatBar(0, 12)).toBe('[          ]');
    expect(formatBar(0.5, 12)).toBe('[====>     ]');
    expect(formatBar(0.99, 12)).toBe('[========> ]');
    expect(formatBar(1, 12)).toBe('[==========]');
    expect(formatBar(7, 12)).toBe('[==========]');
  });
});

describe('truncateMiddle', () => {
  it('keeps both ends of a long name', () => {
    expect(truncateMiddle('quarterly-report.pdf', 11)).toBe('quart…t.pdf');
    expect(truncateMiddle('short.pdf', 11)).toBe('short.pdf');
    expect(truncateMiddle('ünïcödé-ñame.txt', 9)).toBe('ünïc….txt');
  });
});

describe('progress from status events', () => {
  it('counts bytes and the rate from the events’ own times', () => {
    let state = initialProgress('big.bin', 200 * MiB, false);
    state = advanceProgress(state, event('pending', 0, 0));
    state = advanceProgress(state, event('receiving', 50 * MiB, 500));
    state = advanceProgress(state, event('receiving', 100 * MiB, 1000));
    expect(state).toMatchObject({ status: 'receiving', receivedBytes: 100 * MiB, bytesPerSecond: 100 * MiB });
    expect(formatProgress(state, 100)).toBe(
      'big.bin [=============>              ]   50%  100.0 MiB / 200.0 MiB  100.0 MiB/s  receiving',
    );
  });

  it('never moves back, and shows stored and ready as complete', () => {
    let state = initialProgress('big.bin', 200 * MiB, false);
    state = advanceProgress(state, event('receiving', 100 * MiB, 1000));
    state = advanceProgress(state, event('receiving', 10 * MiB, 1100));
    expect(state.receivedBytes).toBe(100 * MiB);
    state = advanceProgress(state, event('ready', 200 * MiB, 2000));
    expect(formatProgress(state, 80)).toMatch(/\[=+\] {2}100% {2}200\.0 MiB \/ 200\.0 MiB\s+ready$/);
  });

  it('stays within the terminal width and drops the bar when narrow', () => {
    const state = advanceProgress(
      initialProgress('a rather long name for a file, really.pdf', 200 * MiB, false),
      event('receiving', 64 * MiB, 1000),
    );
    for (const columns of [40, 59, 60, 79, 80, 100, 200]) {
      expect([...formatProgress(state, columns)].length).toBeLessThanOrEqual(columns);
    }
    expect(formatProgress(state, 120)).toContain('[');
    expect(formatProgress(state, 50)).toBe('a rather l…eally.pdf  32% receiving');
  });

  it('says what a direct upload is doing while storage has the bytes', () => {
    const state = initialProgress('scan.pdf', 1000, true);
    expect(formatProgress(state, 100)).toMatch(/0% {2}0 B \/ 1000 B\s+sending to storage$/);
  });

  it('shows why an upload failed', () => {
    const failed = { ...event('failed', 5 * MiB, 100), error: 'the client went away mid-upload' };
    const state = advanceProgress(initialProgress('x.bin', 200 * MiB, false), failed);
    expect(formatProgress(state, 120)).toMatch(/failed: the client went away mid-upload$/);
  });

  it('writes a log line with the whole name and no bar', () => {
    const name = 'a rather long name for a file, really.pdf';
    const state = advanceProgress(
      initialProgress(name, 200 * MiB, false),
      event('receiving', 64 * MiB, 1000),
    );
    expect(formatLogLine(state)).toBe(`${name}  32%  64.0 MiB / 200.0 MiB  receiving`);
  });

  it('copes with an empty file', () => {
    const state = advanceProgress(initialProgress('empty.txt', 0, false), {
      ...event('ready', 0, 0),
      totalBytes: 0,
    });
    expect(formatProgress(state, 100)).toMatch(/100% {2}0 B \/ 0 B/);
  });
});
