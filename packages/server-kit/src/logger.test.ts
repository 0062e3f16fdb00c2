import { describe, expect, it } from 'vitest';
import { createLogger } from './logger.ts';

function capture() {
  const lines: Record<string, unknown>[] = [];
  const logger = createLogger('test', (line) => {
    lines.push(JSON.parse(line) as Record<string, unknown>);
  });
  return { logger, lines };
}

describe('log lines never carry a secret', () => {
  it('masks secret fields at the top, one object down, and in headers; URLs keep their host', () => {
    const { logger, lines } = capture();
    const fields = {
      token: 'eyJ.secret.token',
      status: 200,
      request: { apiKey: 'sk-123', name: 'kept', headers: { authorization: 'Bearer abc', accept: 'json' } },
      headers: { cookie: 'session=1', 'x-request-id': 'r1' },
      DATABASE_URL: 'postgres://docstore:hunter2@db:5432/docstore',
      config: { url: 'http://user:pw@blob:4001', S3_SECRET_KEY: 'minio-secret' },
    };
    logger.info('request', fields);
    expect(lines).toHaveLength(1);
    expect(lines[0]).toMatchObject({
      message: 'request',
      service: 'test',
      token: '[redacted]',
      status: 200,
      request: {
        apiKey: '[redacted]',
        name: 'kept',
        headers: { authorization: '[redacted]', accept: 'json' },
      },
      headers: { cookie: '[redacted]', 'x-request-id': 'r1' },
      DATABASE_URL: 'postgres://docstore:***@db:5432/docstore',
      config: { url: 'http://user:***@blob:4001', S3_SECRET_KEY: '[redacted]' },
    });
    const text = JSON.stringify(lines[0]);
    for (const secret of [
      'eyJ.secret.token',
      'sk-123',
      'Bearer abc',
      'session=1',
      'hunter2',
      'pw@',
      'minio-secret',
    ])
      expect(text).not.toContain(secret);
    // The caller's object is left as it was.
    expect(fields.token).toBe('eyJ.secret.token');
    expect(fields.request.headers.authorization).toBe('Bearer abc');
  });

  it('writes fields without secrets unchanged', () => {
    const { logger, lines } = capture();
    logger.warn('slow', {
      ms: 12,
      path: '/trpc/documents.get',
      nested: { deeper: { token: 'three levels down' } },
    });
    expect(lines[0]).toMatchObject({
      level: 'warn',
      ms: 12,
      path: '/trpc/documents.get',
      nested: { deeper: { token: 'three levels down' } },
    });
  });
});
