import { TRPCClientError } from '@trpc/client';
import { describe, expect, it } from 'vitest';
import { CliError, describeError, EXIT, UsageError } from './errors.ts';

const URL = 'http://127.0.0.1:4000';

/** A client error as the docstore server sends it. */
function serverError(appCode: string, message: string, fieldErrors: Record<string, string[]> = {}) {
  const zodError = Object.keys(fieldErrors).length > 0 ? { formErrors: [], fieldErrors } : null;
  return TRPCClientError.from({ error: { code: -32600, message, data: { code: 'X', appCode, zodError } } });
}

describe('describeError', () => {
  it('maps each app code to its exit code and a one-line message', () => {
    expect(describeError(serverError('NOT_FOUND', 'document 123 not found'), URL)).toEqual({
      message: 'not found: document 123',
      exitCode: EXIT.NOT_FOUND,
    });
    expect(describeError(serverError('CONFLICT', 'a topic named "x" already exists'), URL)).toEqual({
      message: 'conflict: a topic named "x" already exists',
      exitCode: EXIT.INVALID,
    });
    expect(describeError(serverError('PAYLOAD_TOO_LARGE', 'size 9 is over the limit'), URL)).toEqual({
      message: 'too large: size 9 is over the limit',
      exitCode: EXIT.INVALID,
    });
    expect(describeError(serverError('INTERNAL', 'boom'), URL)).toEqual({
      message: 'server error: boom',
      exitCode: EXIT.ERROR,
    });
    expect(describeError(serverError('SERVICE_UNAVAILABLE', 'S3 is down'), URL).exitCode).toBe(EXIT.ERROR);
    expect(describeError(serverError('UNAUTHORIZED', 'who?'), URL).exitCode).toBe(EXIT.ERROR);
  });

  it('names the fields of invalid input', () => {
    expect(
      describeError(serverError('INVALID_INPUT', '[zod issues]', { color: ['color must be #rrggbb'] }), URL),
    ).toEqual({ message: 'invalid input: color: color must be #rrggbb', exitCode: EXIT.INVALID });
    expect(
      describeError(serverError('INVALID_INPUT', 'x', { id: ['Invalid UUID'], name: ['a', 'b'] }), URL)
        .message,
    ).toBe('invalid input: id: Invalid UUID; name: a, b');
    expect(describeError(serverError('INVALID_INPUT', 'unknown topic: tax'), URL)).toEqual({
      message: 'invalid input: unknown topic: tax',
      exitCode: EXIT.INVALID,
    });
  });

  it('calls a refused connection unreachable, naming the URL', () => {
    const refused = Object.assign(new Error('connect ECONNREFUSED 127.0.0.1:1'), { code: 'ECONNREFUSED' });
    const fetchFailed = new TypeError('fetch failed', { cause: refused });
    expect(describeError(TRPCClientError.from(fetchFailed), 'http://127.0.0.1:1')).toEqual({
      message: 'cannot reach the docstore server at http://127.0.0.1:1',
      exitCode: EXIT.UNREACHABLE,
    });
    expect(describeError(fetchFailed, URL).exitCode).toBe(EXIT.UNREACHABLE);
  });

  it('does not call an answer from something else unreachable', () => {
    const error = TRPCClientError.from(new Error('Unable to transform response from server'));
    expect(describeError(error, URL)).toEqual({
      message: `unexpected answer from ${URL}: Unable to transform response from server`,
      exitCode: EXIT.ERROR,
    });
  });

  it('passes CLI errors through and calls anything else a generic error', () => {
    expect(describeError(new UsageError('get: missing <id>'), URL)).toEqual({
      message: 'get: missing <id>',
      exitCode: EXIT.USAGE,
    });
    expect(describeError(new CliError(EXIT.INVALID, 'conflict: out.pdf exists'), URL).exitCode).toBe(
      EXIT.INVALID,
    );
    expect(describeError(new Error('disk on fire'), URL)).toEqual({
      message: 'disk on fire',
      exitCode: EXIT.ERROR,
    });
    expect(describeError('a string', URL)).toEqual({ message: 'a string', exitCode: EXIT.ERROR });
  });
});
