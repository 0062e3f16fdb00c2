/** Why the operator command stopped, each with its own exit code. */
export const ADMIN_EXIT_CODES = {
  /** Something else failed. */
  FAILED: 1,
  /** Bad arguments. */
  USAGE: 2,
  /** Credentials or configuration missing or invalid. */
  CONFIG: 3,
  /** The database needs migrations the metadata service has not applied yet. */
  SCHEMA: 4,
  /** A dependency (PostgreSQL, the blob service, its bucket) did not answer in time. */
  UNREACHABLE: 5,
} as const;

export type AdminErrorKind = keyof typeof ADMIN_EXIT_CODES;

/** A failure the operator can act on: a kind (and exit code) and a message without secrets. */
export class AdminError extends Error {
  override readonly name = 'AdminError';
  constructor(
    readonly kind: AdminErrorKind,
    message: string,
    options?: { cause?: unknown },
  ) {
    super(message, options);
  }

  get exitCode(): number {
    return ADMIN_EXIT_CODES[this.kind];
  }
}
