import { describe, expect, it, vi } from 'vitest';
import { createRequestApis, type MetadataDeps } from './request-apis.ts';

describe('createRequestApis', () => {
  it('builds an API only when it is used, and forks the EntityManager only for what needs a fork', async () => {
    const fork = vi.fn(() => ({ findOne: async () => null, find: async () => [] }));
    const deps = { orm: { em: { fork } } } as unknown as MetadataDeps;
    const user = createRequestApis(deps, { userId: 'u', ip: null });
    expect(fork).not.toHaveBeenCalled();
    const topics = user.topics;
    expect(typeof topics.counts).toBe('function');
    expect(user.topics).toBe(topics);
    // The topics API's fixed reads need no fork; its first entity call makes one, once.
    expect(fork).not.toHaveBeenCalled();
    await expect(topics.get({ id: 'a' })).rejects.toMatchObject({ code: 'NOT_FOUND' });
    await expect(topics.get({ id: 'b' })).rejects.toMatchObject({ code: 'NOT_FOUND' });
    expect(fork).toHaveBeenCalledTimes(1);
    // Audit, settings and documents share the store's fork, made by the first call that needs it.
    expect(typeof user.audit.list).toBe('function');
    expect(typeof user.settings.get).toBe('function');
    expect(typeof user.documents.get).toBe('function');
    expect(fork).toHaveBeenCalledTimes(1);
    await user.settings.get();
    await user.audit.list({ limit: 10 });
    expect(fork).toHaveBeenCalledTimes(2);
  });
});
