import { writeFile } from 'node:fs/promises';
import { cpus, totalmem } from 'node:os';
import type { Stats } from './measure.ts';

export interface Result {
  name: string;
  value: number;
  spread?: Stats;
  unit: string;
  /** The same figure for the baseline (raw S3, raw SQL); null when there is none. */
  floor: number | null;
  /** Target as a ratio to the floor (higher is better), or null for a figure without one. */
  target: number | null;
  /** An absolute upper bound in `unit` (lower is better), where the target is one. */
  limit?: number;
}

interface Row extends Result {
  ratio: number | null;
  met: boolean | null;
}

function toRow(result: Result): Row {
  const ratio = result.floor ? result.value / result.floor : null;
  let met: boolean | null = null;
  if (result.target !== null && ratio !== null) met = ratio >= result.target;
  if (result.limit !== undefined) met = (met ?? true) && result.value <= result.limit;
  return { ...result, ratio, met };
}

function describeTarget(row: Row): string {
  const parts: string[] = [];
  if (row.target !== null) parts.push(`>= ${row.target}x`);
  if (row.limit !== undefined) parts.push(`<= ${row.limit} ${row.unit}`);
  return parts.join(', ') || '-';
}

const fixed = (value: number | null, digits = 1) => (value === null ? '-' : value.toFixed(digits));

/** The table on stdout and the same rows as JSON. */
export async function report(
  results: Result[],
  path: string,
  settings: Record<string, unknown>,
): Promise<void> {
  const rows = results.map(toRow);
  const header = ['figure', 'docstore', 'spread', 'floor', 'ratio', 'target', 'met?'];
  const lines = rows.map((row) => [
    row.name,
    `${fixed(row.value)} ${row.unit}`,
    row.spread ? `${fixed(row.spread.min)}..${fixed(row.spread.max)}` : '-',
    row.floor === null ? '-' : `${fixed(row.floor)} ${row.unit}`,
    fixed(row.ratio, 2),
    describeTarget(row),
    row.met === null ? '-' : row.met ? 'yes' : 'NO',
  ]);
  const widths = header.map((title, column) =>
    Math.max(title.length, ...lines.map((line) => line[column]?.length ?? 0)),
  );
  const format = (cells: string[]) =>
    cells.map((cell, column) => cell.padEnd(widths[column] ?? 0)).join('  ');
  process.stdout.write(`\n${format(header)}\n${format(widths.map((width) => '-'.repeat(width)))}\n`);
  for (const line of lines) process.stdout.write(`${format(line)}\n`);
  const machine = {
    node: process.version,
    cpus: cpus().length,
    cpuModel: cpus()[0]?.model ?? 'unknown',
    memoryGiB: Math.round(totalmem() / 1024 ** 3),
    platform: `${process.platform}-${process.arch}`,
  };
  await writeFile(
    path,
    `${JSON.stringify({ machine, settings, at: new Date().toISOString(), results: rows.map(({ spread: _, limit: __, ...row }) => ({ ...row, target: describeTarget({ ...row, limit: __ }) })) }, null, 2)}\n`,
  );
  process.stdout.write(`\nwritten to ${path}\n`);
}
