import type { ReconcileReport } from '../domain/reconciler/reconciler.ts';

/** The report as an operator reads it in a terminal. */
export function reportText(report: ReconcileReport, graceSeconds: number): string {
  if (!report.ran) return 'reconcile: another instance is reconciling right now; nothing done\n';
  const dry = report.dryRun;
  const rows: Array<[string, number, string?]> = [
    ['objects scanned', report.objectsScanned],
    ['ready rows scanned', report.readyRowsScanned],
    [`too young (< ${graceSeconds} s), left alone`, report.skippedTooYoung],
    [
      'objects no row owns',
      report.orphansFound,
      dry ? 'would be removed' : `${report.orphansRemoved} removed`,
    ],
    [
      'ready rows whose object is gone',
      report.missingFound,
      dry ? 'would be marked missing' : `${report.rowsMarkedMissing} marked missing`,
    ],
    [
      'deleting rows whose removal was lost',
      report.strandedDeletionsFound,
      dry ? 'would be queued again' : `${report.removalsRequeued} queued again`,
    ],
    ['keys not of docstore shape, left alone', report.foreignObjects],
    ['errors (the next run retries)', report.errors],
  ];
  const lines = [
    `reconcile${dry ? ' (dry run: nothing changed)' : ''}: ${report.durationMs} ms`,
    ...rows.map(
      ([label, count, note]) =>
        `  ${label.padEnd(40)} ${String(count).padStart(8)}${note ? `  (${note})` : ''}`,
    ),
    ...report.orphanKeys.map((key) => `  orphan object: ${key}`),
    ...report.missingDocumentIds.map((id) => `  missing object of document: ${id}`),
    ...report.strandedDocumentIds.map((id) => `  removal queued again for document: ${id}`),
    ...report.foreignKeys.map((key) => `  foreign key: ${key}`),
  ];
  return `${lines.join('\n')}\n`;
}
