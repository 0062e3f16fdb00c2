import { afterEach, describe, expect, it, vi } from 'vitest';
import { CONTRACT_VERSION, CONTRACT_VERSION_HEADER, majorOf } from './version.ts';
import { type ContractMismatch, checkContractVersion } from './version-check.ts';

const answering = (version: string | null) => async () =>
  new Response('{}', { headers: version === null ? {} : { [CONTRACT_VERSION_HEADER]: version } });

const otherMajor = `${(majorOf(CONTRACT_VERSION) ?? 0) + 1}.0.0`;

describe('checkContractVersion', () => {
  afterEach(() => vi.restoreAllMocks());

  it('reports a server of another major version once', async () => {
    const seen: ContractMismatch[] = [];
    const fetch = checkContractVersion(answering(otherMajor), (mismatch) => seen.push(mismatch));
    await fetch('http://x/trpc/health');
    await fetch('http://x/trpc/health');
    expect(seen).toEqual([{ served: otherMajor, expected: CONTRACT_VERSION }]);
  });

  it('stays quiet for the same major, or a server that names no version', async () => {
    const seen: ContractMismatch[] = [];
    const sameMajor = `${majorOf(CONTRACT_VERSION)}.99.0`;
    await checkContractVersion(answering(sameMajor), (mismatch) => seen.push(mismatch))('http://x');
    await checkContractVersion(answering(null), (mismatch) => seen.push(mismatch))('http://x');
    expect(seen).toEqual([]);
  });

  it('warns on the console by default, and not at all when told to ignore', async () => {
    const warn = vi.spyOn(console, 'warn').mockImplementation(() => {});
    await checkContractVersion(answering(otherMajor))('http://x');
    await checkContractVersion(answering(otherMajor), 'ignore')('http://x');
    expect(warn).toHaveBeenCalledTimes(1);
    expect(warn.mock.calls[0]?.[0]).toContain(`serves contract ${otherMajor}`);
  });

  it('reads majors of semantic versions only', () => {
    expect(majorOf('2.10.3')).toBe(2);
    expect(majorOf('1.0.0-rc.1')).toBe(1);
    expect(majorOf('v1')).toBeNull();
  });
});
