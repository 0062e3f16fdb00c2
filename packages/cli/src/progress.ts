import type { StatusEvent, UploadStatus } from '@docstore/contract';
import { formatBytes } from './output.ts';

/** What the bar shows for one upload, folded from its status events. */
export interface ProgressState {
  name: string;
  status: UploadStatus;
  receivedBytes: number;
  totalBytes: number | null;
  /** Direct uploads go to storage without the service seeing the bytes: no byte counts until stored. */
  direct: boolean;
  /** The first event's time and byte count, for the rate. */
  startedAt: number | null;
  startBytes: number;
  bytesPerSecond: number | null;
  error: string | null;
}

/** The state before any event arrived. */
export function initialProgress(name: string, totalBytes: number, direct: boolean): ProgressState {
  return {
    name,
    status: 'pending',
    receivedBytes: 0,
    totalBytes,
    direct,
    startedAt: null,
    startBytes: 0,
    bytesPerSecond: null,
    error: null,
  };
}

/** Folds one status event into the state; the rate comes from the server's own event times. */
export function advanceProgress(state: ProgressState, event: StatusEvent): ProgressState {
  const at = Date.parse(event.at);
  const startedAt = state.startedAt ?? at;
  const startBytes = state.startedAt === null ? event.receivedBytes : state.startBytes;
  const seconds = (at - startedAt) / 1000;
  const bytesPerSecond =
    event.status === 'receiving' && seconds > 0
      ? (event.receivedBytes - startBytes) / seconds
      : state.bytesPerSecond;
  return {
    ...state,
    status: event.status,
    // A repeat of an older event never moves the bar back.
    receivedBytes: Math.max(state.receivedBytes, event.receivedBytes),
    totalBytes: event.totalBytes ?? state.totalBytes,
    startedAt,
    startBytes,
    bytesPerSecond,
    error: event.error ?? state.error,
  };
}

/** Shortens `text` to `max` characters, with an ellipsis in the middle so the extension stays. */
export function truncateMiddle(text: string, max: number): string {
  const characters = [...text];
  if (characters.length <= max) return text;
  if (max <= 1) return characters.slice(0, max).join('');
  const head = Math.ceil((max - 1) / 2);
  const tail = max - 1 - head;
  return `${characters.slice(0, head).join('')}…${tail > 0 ? characters.slice(-tail).join('') : ''}`;
}

function label(state: ProgressState): string {
  if (state.status === 'pending' && state.direct) return 'sending to storage';
  if (state.status === 'failed' && state.error) return `failed: ${state.error}`;
  if (state.status === 'processing_failed' && state.error) return `processing failed: ${state.error}`;
  return state.status;
}

/** `[=====>    ]` for a fraction in 0..1. */
export function formatBar(fraction: number, width: number): string {
  const inner = Math.max(width - 2, 1);
  const filled = Math.floor(Math.min(Math.max(fraction, 0), 1) * inner);
  const body =
    filled >= inner ? '='.repeat(inner) : `${'='.repeat(Math.max(filled - 1, 0))}${filled > 0 ? '>' : ''}`;
  return `[${body.padEnd(inner, ' ')}]`;
}

/** How far an upload is: stored and ready count as complete whatever the events said. */
function figures(state: ProgressState): { fraction: number; percent: string; bytes: string } {
  // Processing follows `ready`: the bytes are all in by then.
  const done = ['stored', 'ready', 'processing', 'processed', 'processing_failed'].includes(state.status);
  const total = state.totalBytes;
  const received = done && total !== null ? total : state.receivedBytes;
  const fraction = total === null || total === 0 ? (done ? 1 : 0) : received / total;
  const percent = total === null ? '' : `${Math.floor(fraction * 100)}%`.padStart(4);
  const bytes = total === null ? formatBytes(received) : `${formatBytes(received)} / ${formatBytes(total)}`;
  return { fraction, percent, bytes };
}

/** Room kept for the status word at the end of the line (most are shorter than this). */
const LABEL_ROOM = 10;
const NAME_MAX = 24;
const BAR_MAX = 30;

/**
 * One line of progress, at most `columns` wide, its columns in fixed places so that redraws do not
 * jitter: `report.pdf  [=====>      ]  45%  90.0 MiB / 200.0 MiB   35.2 MiB/s  receiving`.
 * Narrow terminals lose the bar first, then the figures.
 */
export function formatProgress(state: ProgressState, columns: number): string {
  const { fraction, percent, bytes } = figures(state);
  const rate =
    state.bytesPerSecond !== null && state.status === 'receiving'
      ? `${formatBytes(Math.round(state.bytesPerSecond))}/s`
      : '';
  const stats = [percent, bytes.padEnd(21), rate.padStart(11)].filter((part) => part !== '').join('  ');
  const nameLength = [...state.name].length;
  if (columns < 60) {
    // Too narrow for the figures: the name, how far, and what is happening.
    const short = `${truncateMiddle(state.name, Math.max(columns - 30, 8))} ${percent || bytes} ${label(state)}`;
    return truncateMiddle(short, columns);
  }
  const status = label(state);
  const room = columns - stats.length - Math.max(LABEL_ROOM, status.length) - 5;
  const withBar = room >= 18;
  const nameWidth = withBar
    ? Math.min(nameLength, NAME_MAX, room - 10)
    : Math.max(Math.min(nameLength, room), 8);
  const name = truncateMiddle(state.name, nameWidth).padEnd(nameWidth);
  const bar = withBar ? ` ${formatBar(fraction, Math.min(BAR_MAX, room - nameWidth))}` : '';
  const line = `${name}${bar}  ${stats}  ${status}`;
  const characters = [...line];
  return characters.length <= columns ? line : `${characters.slice(0, columns - 1).join('')}…`;
}

/** A log's line for one status change: the whole name, no bar, no padding. */
export function formatLogLine(state: ProgressState): string {
  const { percent, bytes } = figures(state);
  return [state.name, percent.trim(), bytes, label(state)].filter((part) => part !== '').join('  ');
}

/** Draws the progress of one upload at a time on a stream (stderr). */
export interface ProgressReporter {
  start(name: string, totalBytes: number, direct: boolean): void;
  update(event: StatusEvent): void;
  /** Ends the current upload's line; `final` overrides the status shown (e.g. after no events came). */
  finish(final?: { status: UploadStatus; error?: string }): void;
}

const REDRAW_MS = 100;

/**
 * On a terminal, one line redrawn in place (at most every 100 ms, and at every status change);
 * elsewhere (a log, a pipe), one line per status change.
 */
export function createProgressReporter(stream: NodeJS.WriteStream): ProgressReporter {
  let state: ProgressState | null = null;
  let drawnAt = 0;
  let drawnStatus: UploadStatus | null = null;
  // One column short of the width: writing the last column makes some terminals wrap.
  const columns = () => Math.max((stream.columns ?? 80) - 1, 20);

  const draw = (force: boolean) => {
    if (state === null) return;
    const changed = state.status !== drawnStatus;
    if (stream.isTTY) {
      if (!force && !changed && Date.now() - drawnAt < REDRAW_MS) return;
      stream.write(`\r${formatProgress(state, columns())}\x1b[K`);
    } else {
      // A log gets one line per status change, and none for an upload refused before it began.
      if (!changed || (force && drawnStatus === null)) return;
      stream.write(`${formatLogLine(state)}\n`);
    }
    drawnAt = Date.now();
    drawnStatus = state.status;
  };

  return {
    start(name, totalBytes, direct) {
      state = initialProgress(name, totalBytes, direct);
      drawnStatus = null;
      draw(true);
    },
    update(event) {
      if (state === null) return;
      state = advanceProgress(state, event);
      draw(false);
    },
    finish(final) {
      if (state === null) return;
      if (final) state = { ...state, status: final.status, error: final.error ?? state.error };
      draw(true);
      if (stream.isTTY) stream.write('\n');
      state = null;
    },
  };
}
