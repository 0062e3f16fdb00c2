import { TRPCClientError } from '@trpc/client';
import { describe, expect, it } from 'vitest';
import { describeTarget, porcelainPaths, type Result, toRow } from './report.ts';
import { errorCode } from './scenarios/load.ts';

const latency = (value: number, floor: number): Result => ({
  name: 'documents.get: p50, 1 in flight',
  value,
  unit: 'ms',
  floor,
  target: 1.5,
  lowerIsBetter: true,
});
const rate = (value: number, floor: number): Result => ({
  name: 'documents.get: throughput, 32 in flight',
  value,
  unit: 'req/s',
  floor,
  target: 0.8,
});

describe('the bench table holds each figure to issue 12 as it is worded', () => {
  it('a time is met up to 1.5x its floor and not beyond', () => {
    expect(toRow(latency(3, 2))).toMatchObject({ ratio: 1.5, met: true });
    expect(toRow(latency(3.1, 2))).toMatchObject({ met: false });
    expect(describeTarget(toRow(latency(1, 1)))).toBe('<= 1.5x floor');
  });

  it('a rate is met from 0.8x its floor up', () => {
    expect(toRow(rate(800, 1000))).toMatchObject({ met: true });
    expect(toRow(rate(799, 1000))).toMatchObject({ met: false });
    expect(describeTarget(toRow(rate(1, 1)))).toBe('>= 0.8x floor');
  });

  it('an absolute limit with no floor is met only within it (0 errors)', () => {
    const errors = (value: number): Result => ({
      name: 'errors',
      value,
      unit: 'errors',
      floor: null,
      target: null,
      limit: 0,
    });
    expect(toRow(errors(0)).met).toBe(true);
    expect(toRow(errors(1)).met).toBe(false);
  });
});

describe('the load scenario counts errors by the code a client sees', () => {
  it("takes the contract's code over tRPC's, and names what has neither", () => {
    const withData = (data: unknown) => Object.assign(new TRPCClientError('x'), { data });
    expect(errorCode(withData({ code: 'INTERNAL_SERVER_ERROR', appCode: 'SERVICE_UNAVAILABLE' }))).toBe(
      'SERVICE_UNAVAILABLE',
    );
    expect(errorCode(withData({ code: 'PAYLOAD_TOO_LARGE' }))).toBe('PAYLOAD_TOO_LARGE');
    expect(errorCode(new TypeError('fetch failed'))).toBe('TypeError');
  });
});

describe('porcelainPaths', () => {
  it('keeps the first path whole when its change is not staged (the line starts with a space)', () => {
    expect(porcelainPaths(' M README.md\nM  docs/benchmarks.md\n?? bench/new.ts\n')).toEqual([
      'README.md',
      'docs/benchmarks.md',
      'bench/new.ts',
    ]);
  });
});
