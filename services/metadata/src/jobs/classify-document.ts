import { createHash } from 'node:crypto';
import type { Logger } from '@docstore/server-kit';
import { z } from 'zod';
import type { TaskHandler } from '../adapters/job-queue.ts';
import type { SecretBox } from '../domain/secret-box.ts';
import { classifyWithAi } from '../processing/ai-classify.ts';
import { AiProviderError, type CallOptions, DEFAULT_CALL_OPTIONS } from '../processing/ai-client.ts';
import { aiCacheKey, PROMPT_VERSION } from '../processing/ai-prompt.ts';
import type { Store } from '../store/store.ts';

const payloadSchema = z.object({
  documentId: z.uuid(),
  userId: z.uuid(),
  version: z.number().int().nonnegative(),
});

/** Provider failures worth another attempt later (graphile-worker's backoff); the rest end the step. */
const RETRIED = new Set(['timeout', 'unreachable', 'provider_error']);

export interface ClassifyDocumentDeps {
  store: () => Store;
  secrets: SecretBox;
  logger: Logger;
  ai?: Partial<CallOptions>;
}

/**
 * `classify_document`: the AI step after processing, when the user named a provider, model and key.
 * The same content, model and prompt version are never sent twice (ai_classification_cache); the
 * key is opened only for the call and never logged. A 429 whose Retry-After is longer than the call
 * waits by itself reschedules this job then; outages retry with backoff; an answer that stays
 * invalid, a refusal or a refused key end the step with a log line. None of it fails the document.
 */
export function classifyDocumentTask(deps: ClassifyDocumentDeps): TaskHandler {
  const options: CallOptions = { ...DEFAULT_CALL_OPTIONS, ...deps.ai };
  return async (raw) => {
    const payload = payloadSchema.parse(raw);
    const store = deps.store();
    const input = await store.ai.input(payload);
    if (!input) return;
    const key = aiCacheKey(input.content, input.model);
    let answer = await store.ai.cached(payload.userId, key);
    if (!answer) {
      try {
        const result = await classifyWithAi(
          { baseUrl: input.baseUrl, model: input.model, apiKey: deps.secrets.open(input.apiKeyCiphertext) },
          {
            content: input.content,
            topics: input.topics,
            maxNewTopics: input.newTopics ? 3 : 0,
            documentName: input.name,
          },
          options,
        );
        answer = {
          suggestions: result.suggestions,
          model: result.model,
          usage: { promptTokens: result.usage.promptTokens, completionTokens: result.usage.completionTokens },
        };
        const topicsSha256 = createHash('sha256').update(JSON.stringify(input.topics)).digest('hex');
        await store.ai.cache(payload.userId, key, topicsSha256, answer);
      } catch (error) {
        if (!(error instanceof AiProviderError)) throw error;
        // The message is ours (never the key, never the provider's body): safe to log.
        const fields = { documentId: payload.documentId, reason: error.reason, message: error.message };
        if (error.reason === 'rate_limited') {
          const waitMs = error.retryAfterMs ?? 60_000;
          deps.logger.info('AI provider rate limited: classification rescheduled', { ...fields, waitMs });
          await store.ai.reschedule(payload, new Date(Date.now() + waitMs));
          return;
        }
        if (RETRIED.has(error.reason)) throw new Error(`AI provider ${error.reason}: ${error.message}`);
        deps.logger.warn('AI classification failed; the document stays processed', fields);
        return;
      }
    }
    await store.ai.saveSuggestions(payload, { ...answer, promptVersion: PROMPT_VERSION }, input.applyMode);
  };
}
