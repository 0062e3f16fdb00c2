import { CONTRACT_VERSION, CONTRACT_VERSION_HEADER, majorOf } from './version.ts';

/** What a client learns when the server serves another major version of the contract than its own. */
export interface ContractMismatch {
  /** The version the server reported (`x-docstore-contract`). */
  served: string;
  /** The version this client was built with. */
  expected: string;
}

/** `'warn'` (the default): one `console.warn`; `'ignore'`; or a callback, called once. */
export type ContractMismatchHandler = 'warn' | 'ignore' | ((mismatch: ContractMismatch) => void);

/**
 * Wraps a client's `fetch` to compare the contract version each answer carries with this client's:
 * on a different major version the handler runs once per client, since a deployed client outliving a
 * breaking server release is exactly what it should hear about, but not on every call.
 */
export function checkContractVersion(
  fetchFn: (input: string | URL | Request, init?: RequestInit) => Promise<Response>,
  handler: ContractMismatchHandler = 'warn',
): (input: string | URL | Request, init?: RequestInit) => Promise<Response> {
  if (handler === 'ignore') return fetchFn;
  let reported = false;
  const expectedMajor = majorOf(CONTRACT_VERSION);
  return async (input, init) => {
    const response = await fetchFn(input, init);
    const served = response.headers.get(CONTRACT_VERSION_HEADER);
    if (!reported && served !== null && majorOf(served) !== expectedMajor) {
      reported = true;
      const mismatch = { served, expected: CONTRACT_VERSION };
      if (handler === 'warn') {
        console.warn(
          `docstore: the server serves contract ${served}, this client was built for ${CONTRACT_VERSION}: ` +
            'calls may fail; update the client (see CHANGELOG.md of @docstore/contract)',
        );
      } else handler(mismatch);
    }
    return response;
  };
}
