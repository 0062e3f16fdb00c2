import { Registry } from '@docstore/server-kit';
import type { MikroORM } from '@mikro-orm/postgresql';
import { describe, expect, it } from 'vitest';
import { createStatusBus } from './domain/status/status-bus.ts';
import { createMetadataMetrics } from './metrics.ts';

/** The value of one sample in a registry's text output (0 when absent). */
async function sample(registry: Registry, name: string, labels = ''): Promise<number> {
  const line = (await registry.metrics()).split('\n').find((text) => text.startsWith(`${name}${labels} `));
  return line === undefined ? 0 : Number(line.split(' ').at(-1));
}

const pass = {
  ran: true,
  objectsScanned: 7,
  readyRowsScanned: 5,
  orphansRemoved: 2,
  rowsMarkedMissing: 1,
  removalsRequeued: 3,
  errors: 1,
  durationMs: 250,
};

describe('metadata metrics', () => {
  const setup = () => {
    const registry = new Registry();
    // No pool behind it: the pool gauges read 0 (the real pool is scraped in test/metrics).
    const orm = {
      em: { getConnection: () => ({ getKnex: () => ({ client: { pool: null } }) }) },
    } as unknown as MikroORM;
    return { registry, metrics: createMetadataMetrics(registry, { webSocketClients: () => 0, orm }) };
  };

  it('counts reconciler passes: what ran, what was skipped (lock held elsewhere), what failed', async () => {
    const { registry, metrics } = setup();
    metrics.reconcile.passed(pass);
    metrics.reconcile.passed({ ...pass, ran: false });
    metrics.reconcile.failed();
    expect(await sample(registry, 'docstore_reconcile_runs_total', '{outcome="ok"}')).toBe(1);
    expect(await sample(registry, 'docstore_reconcile_runs_total', '{outcome="skipped"}')).toBe(1);
    expect(await sample(registry, 'docstore_reconcile_runs_total', '{outcome="failed"}')).toBe(1);
    expect(await sample(registry, 'docstore_reconcile_orphans_removed_total')).toBe(2);
    expect(await sample(registry, 'docstore_reconcile_missing_marked_total')).toBe(1);
    expect(await sample(registry, 'docstore_reconcile_removals_requeued_total')).toBe(3);
    expect(await sample(registry, 'docstore_reconcile_scanned_total', '{kind="objects"}')).toBe(7);
    expect(await sample(registry, 'docstore_reconcile_scanned_total', '{kind="documents"}')).toBe(5);
    expect(await sample(registry, 'docstore_reconcile_errors_total')).toBe(1);
    expect(await sample(registry, 'docstore_reconcile_duration_seconds_sum')).toBe(0.25);
  });

  it('counts status events delivered to each subscription, their lag once per event, and keeps the subscription gauge exact', async () => {
    const { registry, metrics } = setup();
    const bus = metrics.meter(createStatusBus());
    const received: string[] = [];
    const userId = 'u1';
    const stopA = bus.subscribe(userId, (stored) => received.push(`a${stored.id}`));
    const stopB = bus.subscribe(userId, (stored) => received.push(`b${stored.id}`));
    bus.subscribe('someone else', () => received.push('wrong'));
    const event = {
      documentId: crypto.randomUUID(),
      status: 'ready' as const,
      receivedBytes: 1,
      totalBytes: 1,
      error: null,
      at: new Date().toISOString(),
    };
    expect(bus.publish({ id: '1', userId, event })).toBe(2);
    expect(received).toEqual(['a1', 'b1']);
    expect(await sample(registry, 'docstore_status_events_published_total')).toBe(1);
    expect(await sample(registry, 'docstore_status_events_delivered_total')).toBe(2);
    // The lag once per event (to the last subscription it was handed to), not once per subscription.
    expect(await sample(registry, 'docstore_status_event_lag_seconds_count')).toBe(1);
    // An event nobody here listens for is published, not delivered, and has no lag.
    expect(bus.publish({ id: '2', userId: 'nobody', event })).toBe(0);
    expect(await sample(registry, 'docstore_status_events_published_total')).toBe(2);
    expect(await sample(registry, 'docstore_status_events_delivered_total')).toBe(2);
    expect(await sample(registry, 'docstore_status_event_lag_seconds_count')).toBe(1);
    expect(await sample(registry, 'docstore_status_subscriptions')).toBe(3);
    stopA();
    stopA();
    stopB();
    expect(await sample(registry, 'docstore_status_subscriptions')).toBe(1);
    expect(bus.listenerCount).toBe(1);
  });
});
