import { createServer, type IncomingHttpHeaders } from 'node:http';
import type { AddressInfo } from 'node:net';

export interface RecordedRequest {
  method: string;
  path: string;
  headers: IncomingHttpHeaders;
  body: unknown;
}

export interface Reply {
  status?: number;
  headers?: Record<string, string>;
  /** An object is sent as JSON; a string as is. */
  body?: unknown;
  /** Never answer (to test deadlines). */
  hang?: boolean;
}

/** A chat completion whose message content is `content` (a string, or an object sent as JSON). */
export function completion(content: unknown, extra: { refusal?: string; model?: string } = {}): Reply {
  return {
    body: {
      id: 'chatcmpl-test',
      object: 'chat.completion',
      model: extra.model ?? 'test-model-2026',
      choices: [
        {
          index: 0,
          finish_reason: 'stop',
          message: {
            role: 'assistant',
            content: extra.refusal ? null : typeof content === 'string' ? content : JSON.stringify(content),
            refusal: extra.refusal ?? null,
          },
        },
      ],
      usage: { prompt_tokens: 120, completion_tokens: 30, total_tokens: 150 },
    },
  };
}

/**
 * A local server speaking the OpenAI chat-completions protocol: it answers from a script, one reply
 * per request in order, and records every request it receives for the test to check.
 */
export async function startFakeOpenAi(script: Reply[]) {
  const requests: RecordedRequest[] = [];
  const server = createServer(async (req, res) => {
    const chunks: Buffer[] = [];
    for await (const chunk of req) chunks.push(chunk as Buffer);
    const raw = Buffer.concat(chunks).toString('utf8');
    let body: unknown = raw;
    try {
      body = JSON.parse(raw);
    } catch {}
    requests.push({ method: req.method ?? '', path: req.url ?? '', headers: req.headers, body });
    const reply = script.shift() ?? { status: 500, body: { error: { message: 'script exhausted' } } };
    if (reply.hang) return;
    const payload = typeof reply.body === 'string' ? reply.body : JSON.stringify(reply.body ?? {});
    res.writeHead(reply.status ?? 200, { 'content-type': 'application/json', ...reply.headers });
    res.end(payload);
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return {
    baseUrl: `http://127.0.0.1:${port}/v1`,
    requests,
    async close() {
      server.closeAllConnections();
      await new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
}
