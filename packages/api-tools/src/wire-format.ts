import type { ProcedureSnapshot } from './snapshot.ts';

/**
 * tRPC 11's wire format without a tRPC client (no transformer, no batching), as docs/api.md shows it
 * and the wire test sends it to a running service:
 * - query: `GET /trpc/<path>?input=<URI-encoded JSON>` (no `input` when there is none)
 * - mutation: `POST /trpc/<path>` with the JSON input as body
 * - binary mutation: `POST /trpc/<path>`, the raw bytes as body, the metadata as URI-encoded JSON in a header
 * - answer: `{"result":{"data":…}}`, or `{"error":{"message","code","data":{"appCode",…}}}` with the HTTP status
 */
export interface HttpCall {
  method: 'GET' | 'POST';
  /** Path and query, relative to the service's base URL. */
  path: string;
  headers: Record<string, string>;
  /** JSON text, or undefined (GET, or no input). Binary calls send the bytes instead. */
  body?: string;
}

export function httpCall(
  path: string,
  procedure: ProcedureSnapshot,
  input: unknown,
  options: { token?: string } = {},
): HttpCall {
  const headers: Record<string, string> = options.token ? { authorization: `Bearer ${options.token}` } : {};
  const url = `/trpc/${path}`;
  if (procedure.kind === 'query') {
    const query = input === undefined ? '' : `?input=${encodeURIComponent(JSON.stringify(input))}`;
    return { method: 'GET', path: url + query, headers };
  }
  if (procedure.binaryInput) {
    return {
      method: 'POST',
      path: url,
      headers: {
        ...headers,
        'content-type': procedure.binaryInput.contentType,
        [procedure.binaryInput.header]: encodeURIComponent(JSON.stringify(input)),
      },
    };
  }
  return {
    method: 'POST',
    path: url,
    headers: { ...headers, 'content-type': 'application/json' },
    body: input === undefined ? undefined : JSON.stringify(input),
  };
}

/** The messages of one subscription over tRPC's WebSocket protocol, in the order a client sends them. */
export interface WebSocketCall {
  /** Relative to the base URL with ws: / wss:; `connectionParams=1` announces the first message. */
  path: string;
  messages: unknown[];
}

export function webSocketCall(
  path: string,
  input: unknown,
  options: { token?: string; id?: number } = {},
): WebSocketCall {
  const subscribe = {
    id: options.id ?? 1,
    method: 'subscription',
    params: { path, ...(input === undefined ? {} : { input }) },
  };
  if (!options.token) return { path: '/trpc', messages: [subscribe] };
  return {
    path: '/trpc?connectionParams=1',
    messages: [{ method: 'connectionParams', data: { token: options.token } }, subscribe],
  };
}

const shellQuote = (text: string) => `'${text.replaceAll("'", `'\\''`)}'`;

/** The call as a curl command line: `$DOCSTORE_URL` and `$TOKEN` come from the reader's shell. */
export function curlOf(call: HttpCall, options: { binaryFile?: string } = {}): string {
  // A query's input reads better as `-G --data-urlencode`: curl encodes it into the same URL.
  const [path = call.path, query] = call.method === 'GET' ? call.path.split('?input=') : [call.path];
  const lines = [
    call.method === 'GET'
      ? `curl -sS -G "$DOCSTORE_URL${path}"`
      : `curl -sS -X ${call.method} "$DOCSTORE_URL${path}"`,
  ];
  for (const [name, value] of Object.entries(call.headers)) {
    lines.push(
      name === 'authorization'
        ? `-H "authorization: Bearer $TOKEN"`
        : `-H ${shellQuote(`${name}: ${value}`)}`,
    );
  }
  if (options.binaryFile) lines.push(`--data-binary @${options.binaryFile}`);
  else if (call.body !== undefined) lines.push(`-d ${shellQuote(call.body)}`);
  if (query !== undefined) lines.push(`--data-urlencode ${shellQuote(`input=${decodeURIComponent(query)}`)}`);
  return lines.join(' \\\n  ');
}
