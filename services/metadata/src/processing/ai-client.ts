import { setTimeout as sleep } from 'node:timers/promises';
import { z } from 'zod';

/** Why a call to the user's AI provider failed. None of these fails the document itself. */
export type AiFailureReason =
  | 'timeout'
  | 'unreachable'
  | 'rate_limited'
  | 'unauthorized'
  | 'provider_error'
  | 'invalid_response'
  | 'refused';

/** A clean, typed provider failure. Its message never carries the key nor the provider's body. */
export class AiProviderError extends Error {
  override readonly name = 'AiProviderError';
  constructor(
    readonly reason: AiFailureReason,
    message: string,
    /** For `rate_limited`: when the provider said to come back (the job can reschedule then). */
    readonly retryAfterMs?: number,
  ) {
    super(message);
  }
}

/** Where and as whom to call; the key is the decrypted one, held only for this call. */
export interface AiProvider {
  /** An OpenAI-compatible API root, e.g. `https://api.openai.com/v1` or `http://localhost:11434/v1`. */
  baseUrl: string;
  model: string;
  apiKey: string;
}

export interface CallOptions {
  /** Deadline for each HTTP attempt. */
  attemptTimeoutMs: number;
  /** Deadline for the whole call, waits between attempts included. */
  deadlineMs: number;
  /** Attempts in all (429s, 5xx, network errors and answers that fail `parse` each use one). */
  maxAttempts: number;
  /** A Retry-After longer than this is not waited for: the call fails `rate_limited` at once. */
  maxRetryAfterMs: number;
  /** Bytes of response body read at most. */
  maxResponseBytes: number;
}

export const DEFAULT_CALL_OPTIONS: CallOptions = {
  attemptTimeoutMs: 60_000,
  deadlineMs: 120_000,
  maxAttempts: 3,
  maxRetryAfterMs: 30_000,
  maxResponseBytes: 1024 * 1024,
};

const usageSchema = z
  .object({ prompt_tokens: z.number(), completion_tokens: z.number(), total_tokens: z.number() })
  .partial();

const completionSchema = z.object({
  model: z.string().optional(),
  choices: z
    .array(
      z.object({
        finish_reason: z.string().nullish(),
        message: z.object({ content: z.string().nullish(), refusal: z.string().nullish() }),
      }),
    )
    .min(1),
  usage: usageSchema.nullish(),
});

export interface TokenUsage {
  promptTokens: number;
  completionTokens: number;
  totalTokens: number;
}

/** One successful structured answer, after `parse` accepted it. */
export interface Completion<T> {
  value: T;
  model: string;
  /** Summed over every attempt that reached the model: what the user is billed for. */
  usage: TokenUsage;
  attempts: number;
}

/**
 * POSTs a chat completion with a structured output and returns `parse(JSON of the answer)`.
 * Retries what retrying can fix: 429 (honouring Retry-After up to a bound), 5xx, network errors,
 * and answers that are not valid JSON or fail `parse` (thrown errors); never 401/403, other 4xx or
 * a refusal. Redirects are refused so the bearer key never goes to another host.
 */
export async function chatCompletion<T>(
  provider: AiProvider,
  body: Record<string, unknown>,
  parse: (json: unknown) => T,
  options: CallOptions = DEFAULT_CALL_OPTIONS,
): Promise<Completion<T>> {
  const url = `${provider.baseUrl.replace(/\/+$/, '')}/chat/completions`;
  const deadline = Date.now() + options.deadlineMs;
  const usage: TokenUsage = { promptTokens: 0, completionTokens: 0, totalTokens: 0 };
  let lastProblem: AiProviderError = new AiProviderError('provider_error', 'no attempt made');
  for (let attempt = 1; attempt <= options.maxAttempts; attempt++) {
    const remaining = deadline - Date.now();
    if (remaining <= 0)
      throw new AiProviderError('timeout', `AI provider call ran past ${options.deadlineMs} ms`);
    let response: Response;
    let text: string;
    try {
      response = await fetch(url, {
        method: 'POST',
        redirect: 'error',
        headers: {
          authorization: `Bearer ${provider.apiKey}`,
          'content-type': 'application/json',
          accept: 'application/json',
        },
        body: JSON.stringify(body),
        signal: AbortSignal.timeout(Math.min(options.attemptTimeoutMs, remaining)),
      });
      text = await readCapped(response, options.maxResponseBytes);
    } catch (error) {
      lastProblem = networkFailure(error);
      if (lastProblem.reason === 'invalid_response') throw lastProblem;
      await backoff(attempt, deadline);
      continue;
    }
    if (response.status === 429) {
      const wait = retryAfterMs(response.headers.get('retry-after')) ?? backoffMs(attempt);
      lastProblem = new AiProviderError('rate_limited', 'AI provider rate limit reached', wait);
      if (wait > options.maxRetryAfterMs || Date.now() + wait >= deadline) throw lastProblem;
      if (attempt < options.maxAttempts) await sleep(wait);
      continue;
    }
    if (response.status === 401 || response.status === 403) {
      throw new AiProviderError('unauthorized', `AI provider refused the API key (HTTP ${response.status})`);
    }
    if (response.status >= 500) {
      lastProblem = new AiProviderError('provider_error', `AI provider failed (HTTP ${response.status})`);
      await backoff(attempt, deadline);
      continue;
    }
    if (response.status !== 200) {
      throw new AiProviderError(
        'provider_error',
        `AI provider rejected the request (HTTP ${response.status})`,
      );
    }
    const completion = completionSchema.safeParse(safeJson(text));
    if (!completion.success) {
      lastProblem = new AiProviderError(
        'invalid_response',
        'AI provider answered something that is not a chat completion',
      );
      continue;
    }
    addUsage(usage, completion.data.usage);
    const choice = completion.data.choices[0];
    if (choice?.message.refusal || choice?.finish_reason === 'content_filter') {
      throw new AiProviderError('refused', 'the model refused to classify this document');
    }
    try {
      const value = parse(JSON.parse(choice?.message.content ?? ''));
      return { value, model: completion.data.model ?? String(body.model), usage, attempts: attempt };
    } catch {
      lastProblem = new AiProviderError(
        'invalid_response',
        `the model's answer was not valid JSON for the schema`,
      );
    }
  }
  throw lastProblem;
}

async function readCapped(response: Response, maxBytes: number): Promise<string> {
  if (!response.body) return '';
  const chunks: Uint8Array[] = [];
  let size = 0;
  for await (const chunk of response.body) {
    size += chunk.byteLength;
    if (size > maxBytes) {
      await response.body.cancel().catch(() => {});
      throw new AiProviderError('invalid_response', `AI provider answer is larger than ${maxBytes} bytes`);
    }
    chunks.push(chunk);
  }
  return Buffer.concat(chunks).toString('utf8');
}

function networkFailure(error: unknown): AiProviderError {
  if (error instanceof AiProviderError) return error;
  if (error instanceof Error && (error.name === 'TimeoutError' || error.name === 'AbortError')) {
    return new AiProviderError('timeout', 'AI provider did not answer in time');
  }
  // undici's messages name only the host; still, say nothing about the request here.
  return new AiProviderError('unreachable', 'AI provider not reachable');
}

/** Retry-After as delta-seconds or an HTTP date, in ms; undefined when absent or unreadable. */
export function retryAfterMs(header: string | null): number | undefined {
  if (header === null || header.trim() === '') return undefined;
  const seconds = Number(header);
  if (Number.isFinite(seconds)) return Math.max(0, seconds * 1000);
  const date = Date.parse(header);
  return Number.isNaN(date) ? undefined : Math.max(0, date - Date.now());
}

function backoffMs(attempt: number): number {
  return Math.min(8000, 250 * 2 ** (attempt - 1));
}

async function backoff(attempt: number, deadline: number): Promise<void> {
  const wait = Math.min(backoffMs(attempt), Math.max(0, deadline - Date.now()));
  if (wait > 0) await sleep(wait);
}

function safeJson(text: string): unknown {
  try {
    return JSON.parse(text);
  } catch {
    return undefined;
  }
}

function addUsage(total: TokenUsage, usage: z.infer<typeof usageSchema> | null | undefined): void {
  total.promptTokens += usage?.prompt_tokens ?? 0;
  total.completionTokens += usage?.completion_tokens ?? 0;
  total.totalTokens += usage?.total_tokens ?? 0;
}
