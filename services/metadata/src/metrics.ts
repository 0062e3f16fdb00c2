import { Counter, Gauge, Histogram, type Registry, sampledGauge } from '@docstore/server-kit';
import type { MikroORM } from '@mikro-orm/postgresql';
import type { StatusBus } from './domain/status/status-bus.ts';

/** What the sweeper reports after each run. */
export interface SweeperMetrics {
  swept(result: { expired: number; retired: number; pruned: number }): void;
  failed(): void;
}

/** The counts of one reconciler pass (a structural subset of the reconciler's report). */
export interface ReconcilePass {
  /** False when another instance held the advisory lock: nothing was looked at. */
  ran: boolean;
  objectsScanned: number;
  readyRowsScanned: number;
  orphansRemoved: number;
  rowsMarkedMissing: number;
  /** `deleting` rows whose lost removal job was queued again. */
  removalsRequeued: number;
  /** Removals or marks that failed (the next pass tries again). */
  errors: number;
  durationMs: number;
}

/** What the reconciler reports; it runs on every instance, under an advisory lock. */
export interface ReconcileMetrics {
  /** A pass ended with this report (`ran: false` counts as `skipped`). */
  passed(report: ReconcilePass): void;
  /** A pass threw. */
  failed(): void;
}

/** Proxied uploads streamed straight into S3 (PROXIED_UPLOAD_ROUTE=s3): the blob service never sees their bytes. */
export interface SignedPutMetrics {
  finished(outcome: 'stored' | 'failed', bytes: number): void;
}

export interface MetadataMetrics {
  sweeper: SweeperMetrics;
  signedPuts: SignedPutMetrics;
  reconcile: ReconcileMetrics;
  /** The bus with its events counted: published, delivered to subscriptions, and their lag. */
  meter(bus: StatusBus): StatusBus;
}

/** Seconds from an event's `at` to its delivery: same-instance NOTIFY is a few ms, catch-up longer. */
const LAG_BUCKETS = [0.001, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30, 60];

/**
 * The metadata service's own series. `sources` are read on every scrape: the WebSocket endpoint's
 * live connections and the ORM's connection pool.
 */
export function createMetadataMetrics(
  registry: Registry,
  sources: { webSocketClients(): number; orm: MikroORM },
): MetadataMetrics {
  sampledGauge(registry, 'docstore_websocket_connections', 'Open WebSocket connections', () =>
    sources.webSocketClients(),
  );
  const pool = () => poolOf(sources.orm);
  sampledGauge(
    registry,
    'docstore_db_pool_connections_in_use',
    'Database connections lent out of the pool',
    () => pool()?.numUsed() ?? 0,
  );
  sampledGauge(
    registry,
    'docstore_db_pool_connections_idle',
    'Database connections idle in the pool',
    () => pool()?.numFree() ?? 0,
  );
  sampledGauge(
    registry,
    'docstore_db_pool_waiting',
    'Requests waiting for a database connection (the pool is exhausted when this stays > 0)',
    () => pool()?.numPendingAcquires() ?? 0,
  );

  const subscriptions = new Gauge({
    name: 'docstore_status_subscriptions',
    help: 'Live status subscriptions (documents.onStatus) on this instance',
    registers: [registry],
  });
  const published = new Counter({
    name: 'docstore_status_events_published_total',
    help: 'Status events published to this instance (every instance sees every event once)',
    registers: [registry],
  });
  const delivered = new Counter({
    name: 'docstore_status_events_delivered_total',
    help: 'Status events handed to a live subscription of this instance (replays not counted)',
    registers: [registry],
  });
  const lag = new Histogram({
    name: 'docstore_status_event_lag_seconds',
    help: "Seconds from a status event's time until it was handed to the last of its subscriptions here (one observation per event that had any)",
    buckets: LAG_BUCKETS,
    registers: [registry],
  });

  const sweeps = new Counter({
    name: 'docstore_sweeper_runs_total',
    help: 'Sweeper passes, by outcome (ok or failed)',
    labelNames: ['outcome'] as const,
    registers: [registry],
  });
  const expired = new Counter({
    name: 'docstore_sweeper_expired_uploads_total',
    help: 'Pending uploads the sweeper removed after UPLOAD_TTL_SECONDS',
    registers: [registry],
  });
  const retired = new Counter({
    name: 'docstore_sweeper_retired_failures_total',
    help: 'Failed uploads the sweeper removed after FAILED_RETENTION_HOURS',
    registers: [registry],
  });
  const pruned = new Counter({
    name: 'docstore_sweeper_pruned_events_total',
    help: 'Status events the sweeper removed after STATUS_RETENTION_HOURS',
    registers: [registry],
  });

  const reconcileRuns = new Counter({
    name: 'docstore_reconcile_runs_total',
    help: 'Reconciler passes, by outcome (ok; skipped: another instance held the lock; failed)',
    labelNames: ['outcome'] as const,
    registers: [registry],
  });
  const reconcileDuration = new Histogram({
    name: 'docstore_reconcile_duration_seconds',
    help: 'How long a reconciler pass that ran took',
    buckets: [0.01, 0.1, 0.5, 1, 5, 10, 30, 60, 300, 900],
    registers: [registry],
  });
  const orphans = new Counter({
    name: 'docstore_reconcile_orphans_removed_total',
    help: 'Objects no document owns, older than the grace period, removed from the bucket',
    registers: [registry],
  });
  const missing = new Counter({
    name: 'docstore_reconcile_missing_marked_total',
    help: 'Ready documents whose object was gone, marked missing',
    registers: [registry],
  });
  const scanned = new Counter({
    name: 'docstore_reconcile_scanned_total',
    help: 'Objects and ready documents the reconciler looked at, by kind',
    labelNames: ['kind'] as const,
    registers: [registry],
  });
  const requeued = new Counter({
    name: 'docstore_reconcile_removals_requeued_total',
    help: 'Deleting documents whose lost removal job the reconciler queued again (should stay 0)',
    registers: [registry],
  });
  const signedPuts = new Counter({
    name: 'docstore_signed_puts_total',
    help: 'Proxied uploads streamed straight into S3 through a URL the blob service signed, by outcome',
    labelNames: ['outcome'] as const,
    registers: [registry],
  });
  const signedPutBytes = new Counter({
    name: 'docstore_signed_put_bytes_total',
    help: 'Bytes of proxied uploads S3 stored through a URL the blob service signed',
    registers: [registry],
  });
  const reconcileErrors = new Counter({
    name: 'docstore_reconcile_errors_total',
    help: 'Removals or marks that failed during a pass (retried by the next one)',
    registers: [registry],
  });

  return {
    signedPuts: {
      finished(outcome, bytes) {
        signedPuts.inc({ outcome });
        signedPutBytes.inc(bytes);
      },
    },
    sweeper: {
      swept(result) {
        sweeps.inc({ outcome: 'ok' });
        expired.inc(result.expired);
        retired.inc(result.retired);
        pruned.inc(result.pruned);
      },
      failed: () => sweeps.inc({ outcome: 'failed' }),
    },
    reconcile: {
      passed(report) {
        if (!report.ran) {
          reconcileRuns.inc({ outcome: 'skipped' });
          return;
        }
        reconcileRuns.inc({ outcome: 'ok' });
        reconcileDuration.observe(report.durationMs / 1000);
        orphans.inc(report.orphansRemoved);
        missing.inc(report.rowsMarkedMissing);
        requeued.inc(report.removalsRequeued);
        scanned.inc({ kind: 'objects' }, report.objectsScanned);
        scanned.inc({ kind: 'documents' }, report.readyRowsScanned);
        reconcileErrors.inc(report.errors);
      },
      failed: () => reconcileRuns.inc({ outcome: 'failed' }),
    },
    meter(bus) {
      return {
        // Counted once per event, not per subscription: with 1,000 subscribers a counter and a
        // histogram touched per delivery cost ~2.5 ms per event, on the way to the last of them.
        publish(stored) {
          published.inc();
          const handed = bus.publish(stored);
          if (handed > 0) {
            delivered.inc(handed);
            lag.observe(Math.max(0, Date.now() - Date.parse(stored.event.at)) / 1000);
          }
          return handed;
        },
        subscribe(userId, listener) {
          subscriptions.inc();
          const unsubscribe = bus.subscribe(userId, listener);
          let open = true;
          return () => {
            if (open) subscriptions.dec();
            open = false;
            unsubscribe();
          };
        },
        get listenerCount() {
          return bus.listenerCount;
        },
      };
    },
  };
}

/** The subset of tarn's pool (knex's pool) read here. */
interface ConnectionPool {
  numUsed(): number;
  numFree(): number;
  numPendingAcquires(): number;
}

/** The ORM's connection pool, or null when the driver does not expose one (then the gauges read 0). */
function poolOf(orm: MikroORM): ConnectionPool | null {
  const client = orm.em.getConnection().getKnex().client as { pool?: ConnectionPool | null };
  return client.pool ?? null;
}
