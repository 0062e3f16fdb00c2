import { describe, expect, it } from 'vitest';
import type { ProcedureSnapshot } from './snapshot.ts';
import { curlOf, httpCall, webSocketCall } from './wire-format.ts';

const query: ProcedureSnapshot = { kind: 'query', auth: true, input: {}, output: {} };

describe('wire format', () => {
  it('a query puts its input URI-encoded in the URL; curl shows it readable with -G', () => {
    const call = httpCall('documents.get', query, { id: 'a b' }, { token: 't' });
    expect(call).toEqual({
      method: 'GET',
      path: '/trpc/documents.get?input=%7B%22id%22%3A%22a%20b%22%7D',
      headers: { authorization: 'Bearer t' },
    });
    expect(curlOf(call)).toBe(
      [
        'curl -sS -G "$DOCSTORE_URL/trpc/documents.get"',
        '-H "authorization: Bearer $TOKEN"',
        `--data-urlencode 'input={"id":"a b"}'`,
      ].join(' \\\n  '),
    );
  });

  it("a mutation posts JSON, quoting ' for the shell", () => {
    const call = httpCall('topics.create', { ...query, kind: 'mutation' }, { name: "it's" });
    expect(curlOf(call)).toBe(
      [
        'curl -sS -X POST "$DOCSTORE_URL/trpc/topics.create"',
        `-H 'content-type: application/json'`,
        `-d '{"name":"it'\\''s"}'`,
      ].join(' \\\n  '),
    );
  });

  it('a subscription announces connectionParams only with a token', () => {
    expect(webSocketCall('documents.onStatus', {}).messages).toEqual([
      { id: 1, method: 'subscription', params: { path: 'documents.onStatus', input: {} } },
    ]);
    expect(webSocketCall('documents.onStatus', undefined, { token: 't' })).toEqual({
      path: '/trpc?connectionParams=1',
      messages: [
        { method: 'connectionParams', data: { token: 't' } },
        { id: 1, method: 'subscription', params: { path: 'documents.onStatus' } },
      ],
    });
  });
});
