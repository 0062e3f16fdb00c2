import type { StatusEvent } from '@docstore/contract';
import { describe, expect, it } from 'vitest';
import { StatusFollower } from './status-follower.ts';

const A = '00000000-0000-4000-8000-00000000000a';
const B = '00000000-0000-4000-8000-00000000000b';

function event(
  documentId: string,
  status: StatusEvent['status'],
  totalBytes: number | null = 100,
): StatusEvent {
  return { documentId, status, receivedBytes: 0, totalBytes, error: null, at: new Date(0).toISOString() };
}

function follower() {
  const seen: string[] = [];
  const instance = new StatusFollower((e) => seen.push(`${e.documentId.slice(-1)}:${e.status}`));
  return { instance, seen };
}

describe('StatusFollower', () => {
  it('claims the first new document of the expected size and follows only it', () => {
    const { instance, seen } = follower();
    instance.push(event(A, 'receiving'));
    instance.expect(100);
    instance.push(event(B, 'pending', 999));
    instance.push(event(A, 'pending'));
    instance.push(event(B, 'receiving', 999));
    instance.push(event(A, 'ready'));
    expect(instance.followed).toBe(A);
    expect(seen).toEqual(['a:pending', 'a:ready']);
  });

  it('replays what arrived before the id was known', () => {
    const { instance, seen } = follower();
    instance.push(event(B, 'pending'));
    instance.push(event(A, 'pending'));
    instance.follow(A);
    instance.push(event(A, 'stored'));
    instance.push(event(B, 'stored'));
    expect(seen).toEqual(['a:pending', 'a:stored']);
  });

  it('never claims the same document for a second upload', () => {
    const { instance, seen } = follower();
    instance.expect(100);
    instance.push(event(A, 'pending'));
    instance.stop();
    instance.expect(100);
    instance.push(event(A, 'pending'));
    instance.push(event(B, 'pending'));
    expect(instance.followed).toBe(B);
    expect(seen).toEqual(['a:pending', 'b:pending']);
  });

  it('ignores everything after stop', () => {
    const { instance, seen } = follower();
    instance.follow(A);
    instance.stop();
    instance.push(event(A, 'ready'));
    expect(seen).toEqual([]);
  });

  it('waits for a matching event, or gives up', async () => {
    const { instance } = follower();
    instance.follow(A);
    const failed = instance.until((e) => e.status === 'failed', 1000);
    instance.push(event(A, 'stored'));
    instance.push({ ...event(A, 'failed'), error: 'declared 100, got 5' });
    expect((await failed)?.error).toBe('declared 100, got 5');
    expect(await instance.until((e) => e.status === 'ready', 10)).toBeNull();
  });
});
