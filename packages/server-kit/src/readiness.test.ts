import { describe, expect, it } from 'vitest';
import { steadyReadiness } from './readiness.ts';

const after = <T>(ms: number, value: T) => new Promise<T>((resolve) => setTimeout(() => resolve(value), ms));

describe('steadyReadiness', () => {
  it('one slow failed probe keeps the last good answer; two in a row turn it false', async () => {
    const delays = [0, 60, 60];
    let call = 0;
    const ready = steadyReadiness(
      () => {
        const delay = delays[call++] ?? 0;
        return after(delay, { ok: delay === 0 });
      },
      { slowMs: 50 },
    );
    expect(await ready()).toEqual({ ok: true });
    expect(await ready()).toEqual({ ok: true });
    expect(await ready()).toEqual({ ok: false });
  });

  it('a fast failure (refused, an error answer) counts at once', async () => {
    let ok = true;
    const ready = steadyReadiness(() => after(0, { ok }), { slowMs: 50 });
    expect(await ready()).toEqual({ ok: true });
    ok = false;
    expect(await ready()).toEqual({ ok: false });
  });

  it('calls during a probe share it', async () => {
    let probes = 0;
    const ready = steadyReadiness(
      () => {
        probes += 1;
        return after(20, { ok: true });
      },
      { slowMs: 50 },
    );
    await Promise.all(Array.from({ length: 50 }, () => ready()));
    expect(probes).toBe(1);
  });
});
