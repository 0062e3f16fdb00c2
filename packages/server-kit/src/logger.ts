export type LogFields = Record<string, unknown>;

export interface Logger {
  info(message: string, fields?: LogFields): void;
  warn(message: string, fields?: LogFields): void;
  error(message: string, fields?: LogFields): void;
}

/** One JSON object per line on stdout: what a log shipper wants, and what tests parse. */
export function createLogger(
  service: string,
  write: (line: string) => void = (line) => process.stdout.write(line),
): Logger {
  const log = (level: string, message: string, fields?: LogFields) =>
    write(`${JSON.stringify({ at: new Date().toISOString(), level, service, message, ...fields })}\n`);
  return {
    info: (message, fields) => log('info', message, fields),
    warn: (message, fields) => log('warn', message, fields),
    error: (message, fields) => log('error', message, fields),
  };
}

/** The parts of an error worth a log line; the stack only for failures nobody expected. */
export function describeError(error: unknown, withStack: boolean): LogFields {
  if (!(error instanceof Error)) return { error: String(error) };
  const code = 'code' in error ? error.code : undefined;
  const cause = error.cause instanceof Error ? describeError(error.cause, withStack) : undefined;
  return {
    error: error.message,
    errorName: error.name,
    code,
    cause,
    stack: withStack ? error.stack : undefined,
  };
}
