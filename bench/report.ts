import { execFileSync } from 'node:child_process';
import { writeFile } from 'node:fs/promises';
import { cpus, loadavg, totalmem } from 'node:os';
import type { Stats } from './measure.ts';

export interface Result {
  name: string;
  value: number;
  /** Min..max of the per-round values whose median `value` is. */
  spread?: Stats;
  unit: string;
  /** The same figure for the baseline (raw S3, a bare node:http + pg server, bare ws); null when none. */
  floor: number | null;
  floorSpread?: Stats;
  /**
   * Target as a ratio docstore / floor, as the issue states it: at least this for a rate, at most
   * this for a time or a size (`lowerIsBetter`); null for a figure without one.
   */
  target: number | null;
  /** An absolute upper bound in `unit` (lower is better), where the target is one. */
  limit?: number;
  /** A time or a size, where less is better: the target is then an upper bound of the ratio. */
  lowerIsBetter?: boolean;
}

export interface Row extends Result {
  ratio: number | null;
  met: boolean | null;
}

export function toRow(result: Result): Row {
  let ratio: number | null = null;
  if (result.floor) ratio = result.value / result.floor;
  let met: boolean | null = null;
  if (result.target !== null && ratio !== null)
    met = result.lowerIsBetter ? ratio <= result.target : ratio >= result.target;
  if (result.limit !== undefined) met = (met ?? true) && result.value <= result.limit;
  return { ...result, ratio, met };
}

export function describeTarget(row: Row): string {
  const parts: string[] = [];
  if (row.target !== null) parts.push(`${row.lowerIsBetter ? '<=' : '>='} ${row.target}x floor`);
  if (row.limit !== undefined) parts.push(`<= ${row.limit} ${row.unit}`);
  return parts.join(', ') || '-';
}

/** One decimal, two below 10 (latencies of a millisecond or less need them). */
const fixed = (value: number | null, digits?: number) =>
  value === null ? '-' : value.toFixed(digits ?? (Math.abs(value) < 10 ? 2 : 1));

/**
 * The paths of `git status --porcelain` (`XY path` lines; X is a space for a change not yet staged,
 * so the text must not be trimmed before the first line is read).
 */
export function porcelainPaths(text: string): string[] {
  return text
    .split('\n')
    .filter((line) => line.length > 3)
    .map((line) => line.slice(3));
}

/** The commit measured, and the files that differed from it (work in progress changes the figures). */
function sourceState(): { commit: string; uncommitted: string[] } | null {
  try {
    const git = (...args: string[]) => execFileSync('git', args, { encoding: 'utf8' });
    return {
      commit: git('rev-parse', 'HEAD').trim(),
      uncommitted: porcelainPaths(git('status', '--porcelain')),
    };
  } catch {
    return null;
  }
}

/** The table on stdout and the same rows as JSON. */
export async function report(
  results: Result[],
  path: string,
  settings: Record<string, unknown>,
): Promise<void> {
  const rows = results.map(toRow);
  const header = ['figure', 'docstore', 'spread', 'floor', 'floor spread', 'ratio', 'target', 'met?'];
  const lines = rows.map((row) => [
    row.name,
    `${fixed(row.value)} ${row.unit}`,
    row.spread ? `${fixed(row.spread.min)}..${fixed(row.spread.max)}` : '-',
    row.floor === null ? '-' : `${fixed(row.floor)} ${row.unit}`,
    row.floorSpread ? `${fixed(row.floorSpread.min)}..${fixed(row.floorSpread.max)}` : '-',
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
  process.stdout.write(
    `${[
      '',
      'ratio: docstore / floor (a rate: higher is better; a time or a size: lower is better).',
      'docstore, floor: medians of the per-round values; spread: their min..max over the rounds.',
      'A longer run (--rounds N, --duration S) should land inside the spread; if not, the machine was busy.',
    ].join('\n')}\n`,
  );
  const machine = {
    node: process.version,
    cpus: cpus().length,
    cpuModel: cpus()[0]?.model ?? 'unknown',
    memoryGiB: Math.round(totalmem() / 1024 ** 3),
    platform: `${process.platform}-${process.arch}`,
    /** 1, 5, 15 minutes, at the end: other work on the machine shows here (the bench's own too). */
    loadAverage: loadavg().map((value) => Number(value.toFixed(2))),
  };
  await writeFile(
    path,
    `${JSON.stringify({ machine, source: sourceState(), settings, at: new Date().toISOString(), results: rows.map((row) => ({ ...row, target: describeTarget(row) })) }, null, 2)}\n`,
  );
  process.stdout.write(`\nwritten to ${path}\n`);
}
