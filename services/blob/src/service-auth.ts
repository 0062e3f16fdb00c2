import { createHash, timingSafeEqual } from 'node:crypto';

/**
 * Checks `Authorization: Bearer <token>` against the service credential in constant time (both
 * sides hashed first, so neither length nor content leaks through timing).
 */
export function createServiceAuth(token: string): (authorization: string | null | undefined) => boolean {
  const expected = createHash('sha256').update(token).digest();
  return (authorization) => {
    const presented = /^Bearer (.+)$/.exec(authorization ?? '')?.[1];
    if (presented === undefined) return false;
    return timingSafeEqual(createHash('sha256').update(presented).digest(), expected);
  };
}
