import type { DocumentView, TopicView } from '@docstore/contract';

const UNITS = ['B', 'KiB', 'MiB', 'GiB', 'TiB'] as const;

/** `1536` → `1.5 KiB`: binary units, one decimal from KiB up. */
export function formatBytes(bytes: number): string {
  let value = bytes;
  let unit = 0;
  while (value >= 1024 && unit < UNITS.length - 1) {
    value /= 1024;
    unit++;
  }
  return unit === 0 ? `${value} B` : `${value.toFixed(1)} ${UNITS[unit]}`;
}

/** Left-aligned columns two spaces apart; the last column is not padded. */
export function formatTable(header: readonly string[], rows: readonly (readonly string[])[]): string {
  const widths = header.map((title, column) =>
    Math.max(title.length, ...rows.map((row) => (row[column] ?? '').length)),
  );
  const line = (cells: readonly string[]) =>
    cells
      .map((cell, column) => (column === cells.length - 1 ? cell : cell.padEnd(widths[column] ?? 0)))
      .join('  ')
      .trimEnd();
  return [line(header), ...rows.map(line)].join('\n');
}

/** `2025-01-02T03:04:05.678Z` → `2025-01-02 03:04`: enough to tell documents apart in a table. */
function shortDate(iso: string): string {
  return iso.slice(0, 16).replace('T', ' ');
}

/** Documents as a table: one row each. */
export function formatDocuments(documents: readonly DocumentView[]): string {
  return formatTable(
    ['ID', 'NAME', 'SIZE', 'STATUS', 'CREATED', 'TOPICS'],
    documents.map((document) => [
      document.id,
      document.name,
      formatBytes(document.size),
      document.status,
      shortDate(document.createdAt),
      document.topics.join(', '),
    ]),
  );
}

/** One document, field by field. */
export function formatDocument(document: DocumentView): string {
  return formatTable(
    ['id', document.id],
    [
      ['name', document.name],
      ['mime type', document.mimeType],
      ['size', `${formatBytes(document.size)} (${document.size} bytes)`],
      ['sha256', document.sha256 ?? '-'],
      ['status', document.status],
      ['topics', document.topics.join(', ') || '-'],
      ['created', document.createdAt],
      ['updated', document.updatedAt],
      ...processingRows(document),
    ],
  );
}

/** What processing found, when the server says. */
function processingRows(document: DocumentView): string[][] {
  const processing = document.processing;
  if (!processing) return [];
  const status = processing.failure ? `${processing.status}: ${processing.failure}` : processing.status;
  const rows = [['processing', status]];
  if (processing.textLength !== null) rows.push(['text', `${processing.textLength} characters`]);
  if (processing.pages !== null) rows.push(['pages', String(processing.pages)]);
  if (processing.language !== null) rows.push(['language', processing.language]);
  if (processing.duplicateOf !== null) rows.push(['duplicate of', processing.duplicateOf]);
  return rows;
}

/** Topics as a table. */
export function formatTopics(topics: readonly TopicView[]): string {
  return formatTable(
    ['ID', 'NAME', 'DOCUMENTS', 'COLOR', 'DESCRIPTION'],
    topics.map((topic) => [
      topic.id,
      topic.name,
      String(topic.documentCount),
      topic.color ?? '-',
      topic.description ?? '',
    ]),
  );
}

/** Per-topic counts, by name. */
export function formatCounts(counts: Readonly<Record<string, number>>): string {
  const names = Object.keys(counts).sort((a, b) => a.localeCompare(b));
  return formatTable(
    ['TOPIC', 'DOCUMENTS'],
    names.map((name) => [name, String(counts[name] ?? 0)]),
  );
}

/** Where a command writes its results: JSON or human lines on stdout. */
export interface Output {
  /** True with `--json`: commands print the API object with `json()` and nothing else on stdout. */
  readonly jsonMode: boolean;
  json(value: unknown): void;
  line(text: string): void;
  /** A note for the human (never in JSON mode's stdout): goes to stderr. */
  note(text: string): void;
}

/** The process's stdout/stderr as an `Output`. */
export function createOutput(jsonMode: boolean): Output {
  return {
    jsonMode,
    json: (value) => process.stdout.write(`${JSON.stringify(value, null, 2)}\n`),
    line: (text) => process.stdout.write(`${text}\n`),
    note: (text) => process.stderr.write(`${text}\n`),
  };
}
