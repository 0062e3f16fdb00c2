import type { Logger } from '@docstore/server-kit';
import type { ReconcileMetrics } from '../../metrics.ts';
import type { ReconcileReport } from './reconciler.ts';

export interface ReconcilerSchedule {
  /**
   * Stops the timer. A run in progress is not waited for: every change it makes is conditional,
   * so one cut short by shutdown leaves nothing half done, and the next run takes over.
   */
  stop(): void;
}

/**
 * Runs the reconciler every `intervalMs` (0: never), the first run one interval after start, each
 * delayed by up to 10 % at random so that instances started together do not all knock at once (the
 * lock lets only one run anyway). Runs never overlap within an instance.
 */
export function scheduleReconciler(options: {
  intervalMs: number;
  run: () => Promise<ReconcileReport>;
  logger: Logger;
  /** Fed with every pass: its report, or that it failed. */
  metrics?: ReconcileMetrics;
}): ReconcilerSchedule {
  const { intervalMs, logger } = options;
  if (intervalMs <= 0) return { stop: () => {} };
  let stopped = false;
  let timer: NodeJS.Timeout | undefined;

  const runOnce = async () => {
    try {
      const report = await options.run();
      options.metrics?.passed(report);
      const changed =
        report.orphansFound +
        report.missingFound +
        report.strandedDeletionsFound +
        report.errors +
        report.foreignObjects;
      const { orphanKeys, missingDocumentIds, strandedDocumentIds, foreignKeys, ...counts } = report;
      if (changed > 0)
        logger.warn('reconciled: the bucket and the table disagreed', {
          ...counts,
          orphanKeys,
          missingDocumentIds,
          strandedDocumentIds,
          foreignKeys,
        });
      else if (report.ran) logger.info('reconciled', counts);
    } catch (error) {
      options.metrics?.failed();
      logger.warn('reconcile failed', { error: error instanceof Error ? error.message : String(error) });
    }
  };

  const plan = () => {
    if (stopped) return;
    timer = setTimeout(
      () => {
        void runOnce().finally(plan);
      },
      intervalMs * (1 + Math.random() * 0.1),
    );
    timer.unref();
  };
  plan();

  return {
    stop() {
      stopped = true;
      clearTimeout(timer);
    },
  };
}
