/**
 * The contract's semantic version: the same as this package's `version` (a test keeps them equal).
 * A new major means a breaking change to some procedure (`pnpm api:check` enforces it); servers report
 * the version they serve in the `x-docstore-contract` header and in /healthz.
 */
export const CONTRACT_VERSION = '2.1.2';

/** Response header carrying the contract version a server was built with. */
export const CONTRACT_VERSION_HEADER = 'x-docstore-contract';

/** The major part of a semantic version, or null when `version` is not one. */
export function majorOf(version: string): number | null {
  const match = /^(\d+)\.\d+\.\d+(?:[-+].*)?$/.exec(version.trim());
  return match ? Number(match[1]) : null;
}
