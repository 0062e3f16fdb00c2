/** Who a request runs as: every query is scoped to `userId`; `ip` goes into the audit log. */
export interface Caller {
  userId: string;
  ip: string | null;
}
