import { isIP } from 'node:net';

/**
 * The caller's IP for the audit log. Behind a trusted proxy (TRUST_PROXY) that is the first address
 * of X-Forwarded-For; otherwise the socket's peer, since the header is anyone's to write.
 */
export function clientAddress(
  headers: Headers,
  socketAddress: string | null,
  trustProxy: boolean,
): string | null {
  if (trustProxy) {
    const forwarded = headers.get('x-forwarded-for')?.split(',')[0]?.trim();
    if (forwarded && isIP(forwarded)) return forwarded;
  }
  return socketAddress && isIP(socketAddress) ? socketAddress : null;
}
