import type { Readable } from 'node:stream';
import { PinoPretty } from 'pino-pretty';

/**
 * What `pnpm start` shows of a child's output: the services write one JSON line per event (what
 * devstack's own start-up reads, and what production keeps); a developer at a terminal reads them
 * through pino-pretty. `LOG_FORMAT=json` keeps them raw (e.g. to pipe into jq).
 */
export function showLogs(child: { stdout: Readable | null; stderr: Readable | null }, format?: string): void {
  if (format === 'json') {
    child.stdout?.on('data', (text: Buffer) => process.stdout.write(text));
  } else {
    // Lines that are not JSON pass through unchanged.
    child.stdout?.pipe(
      PinoPretty({
        colorize: process.stdout.isTTY,
        destination: 1,
        messageKey: 'message',
        translateTime: 'SYS:HH:MM:ss.l',
        ignore: 'pid,hostname',
      }),
    );
  }
  child.stderr?.on('data', (text: Buffer) => process.stderr.write(text));
}
