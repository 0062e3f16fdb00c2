import { describe, expect, it, vi } from 'vitest';
import { createRequestApis, type MetadataDeps } from './request-apis.ts';

describe('createRequestApis', () => {
  it('builds an API (and forks the EntityManager for it) only when it is used, once per request', () => {
    const fork = vi.fn(() => ({}));
    const deps = { orm: { em: { fork } } } as unknown as MetadataDeps;
    const user = createRequestApis(deps, { userId: 'u', ip: null });
    expect(fork).not.toHaveBeenCalled();
    const topics = user.topics;
    expect(typeof topics.counts).toBe('function');
    expect(user.topics).toBe(topics);
    expect(fork).toHaveBeenCalledTimes(1);
    // Audit, settings and documents share the store's fork.
    expect(typeof user.audit.list).toBe('function');
    expect(typeof user.settings.get).toBe('function');
    expect(fork).toHaveBeenCalledTimes(2);
  });
});
