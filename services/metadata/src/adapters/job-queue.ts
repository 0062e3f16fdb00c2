import { EventEmitter } from 'node:events';
import type { Logger } from '@docstore/server-kit';
import {
  type Runner,
  run,
  runMigrations,
  type TaskList,
  type WorkerEvents,
  Logger as WorkerLogger,
} from 'graphile-worker';
import { createDeadWorkerRelease } from './dead-worker-release.ts';

/**
 * A task handler: gets the job's JSON payload; throwing fails this attempt, and the job is retried
 * with exponential backoff (graphile-worker's, about exp(min(attempt, 10)) seconds).
 */
export type TaskHandler = (payload: unknown) => Promise<void>;

export interface JobQueueOptions {
  /** PostgreSQL: the metadata database (the queue lives in its `graphile_worker` schema). */
  databaseUrl: string;
  logger: Logger;
  /** Jobs run at once by this instance. */
  concurrency?: number;
  /** How often to look for jobs due later (new jobs arrive by LISTEN/NOTIFY at once). */
  pollIntervalMs?: number;
  /** How often to look for jobs locked by a dead worker (a killed instance) and unlock them. */
  deadWorkerCheckMs?: number;
  /** A job locked more recently than this is never taken for a dead worker's. */
  deadWorkerGraceMs?: number;
}

/**
 * The durable job queue every instance shares (graphile-worker). Jobs are enqueued by the store in
 * the same transaction as the change they follow (`graphile_worker.add_job`), run after commit by
 * whichever instance picks them first (FOR UPDATE SKIP LOCKED), retried across restarts; failures
 * stay visible in `graphile_worker.jobs` (`last_error`, `attempts`). Register every task before
 * `start()`; the document processing of later issues registers its own the same way.
 */
export interface JobQueue {
  register(task: string, handler: TaskHandler): void;
  start(): Promise<void>;
  /** Waits for running jobs, then stops; jobs left are picked up by another instance or the next start. */
  stop(): Promise<void>;
}

function workerLogger(logger: Logger): WorkerLogger {
  return new WorkerLogger(() => (level, message, meta) => {
    const fields = meta ? { ...meta } : undefined;
    if (level === 'error') logger.error(`job queue: ${message}`, fields);
    else if (level === 'warning') logger.warn(`job queue: ${message}`, fields);
    else if (level === 'info') logger.info(`job queue: ${message}`, fields);
    else logger.debug(`job queue: ${message}`, fields);
  });
}

/** Only what goes wrong: a migration is not news. */
const quietLogger: Logger = { debug: () => {}, info: () => {}, warn: () => {}, error: () => {} };

/**
 * Creates or upgrades the queue's schema (`graphile_worker`, idempotent). Part of opening the
 * database: the store enqueues inside transactions, whether or not this instance runs jobs.
 */
export async function migrateJobQueue(databaseUrl: string, logger: Logger = quietLogger): Promise<void> {
  await runMigrations({ connectionString: databaseUrl, logger: workerLogger(logger) });
}

export function createJobQueue(options: JobQueueOptions): JobQueue {
  const tasks: TaskList = {};
  let runner: Runner | undefined;
  // Without it a job whose instance was killed mid-run stays locked for 4 hours.
  const deadWorkers = createDeadWorkerRelease({
    databaseUrl: options.databaseUrl,
    logger: options.logger,
    intervalMs: options.deadWorkerCheckMs ?? 15_000,
    graceMs: options.deadWorkerGraceMs ?? 30_000,
  });
  return {
    register(task, handler) {
      if (runner) throw new Error(`job queue already started; cannot register ${task}`);
      tasks[task] = (payload) => handler(payload);
    },
    async start() {
      await deadWorkers.start();
      const events = new EventEmitter() as WorkerEvents;
      // graphile-worker 0.18 locks jobs with the pool's id (`locked_by`), not a worker's; both are
      // claimed so that either form is covered.
      events.on('pool:create', ({ workerPool }) => deadWorkers.claim(workerPool.id));
      events.on('worker:create', ({ worker }) => deadWorkers.claim(worker.workerId));
      runner = await run({
        events,
        connectionString: options.databaseUrl,
        taskList: tasks,
        concurrency: options.concurrency ?? 2,
        pollInterval: options.pollIntervalMs ?? 2_000,
        // main.ts owns the signals and stops the queue in its shutdown.
        noHandleSignals: true,
        logger: workerLogger(options.logger),
      });
      // The runner reconnects on its own; should it still end in an error, say so rather than crash.
      runner.promise.catch((error: unknown) =>
        options.logger.error('job queue stopped', { error: String(error) }),
      );
    },
    async stop() {
      const current = runner;
      runner = undefined;
      await current?.stop();
      await deadWorkers.stop();
    },
  };
}
