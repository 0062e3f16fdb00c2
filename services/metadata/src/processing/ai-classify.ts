import { topicNameSchema } from '@docstore/contract';
import { z } from 'zod';
import {
  type AiProvider,
  type CallOptions,
  chatCompletion,
  DEFAULT_CALL_OPTIONS,
  type TokenUsage,
} from './ai-client.ts';
import { aiCacheKey, answerSchema, buildMessages, fenceContent, PROMPT_VERSION } from './ai-prompt.ts';

/** New topics per document, whatever the user asked for. */
export const MAX_NEW_TOPICS = 3;

export interface AiClassifyInput {
  /** The extracted text; only the first `CONTENT_BUDGET_CHARS` are sent. */
  content: string;
  /** The user's existing topic names. */
  topics: readonly string[];
  /** New topic names the model may propose: 0 (the default) unless the user opted in; capped at 3. */
  maxNewTopics?: number;
  documentName?: string;
}

export interface TopicSuggestion {
  /** An existing topic's name as the user spelled it, or a new name when `isNew`. */
  topic: string;
  /** 0..1 as the model judged it. */
  confidence: number;
  isNew: boolean;
}

export interface AiClassification {
  suggestions: TopicSuggestion[];
  /** Names the model answered that are not the user's topics (and new ones not allowed): dropped. */
  dropped: string[];
  model: string;
  promptVersion: string;
  usage: TokenUsage;
  /** The cache key of the content sent: store the answer under it. */
  cacheKey: ReturnType<typeof aiCacheKey>;
  contentTruncated: boolean;
  /** HTTP attempts made; 0 when there was nothing to ask (no topics, no new topics allowed). */
  attempts: number;
}

const pickSchema = z.object({ name: z.string(), confidence: z.number() });
const answerShape = z.object({
  topics: z.array(pickSchema).default([]),
  newTopics: z.array(pickSchema).default([]),
});

/**
 * Asks the user's OpenAI-compatible provider which of their topics fit a document. Structured output
 * restricts answers to the user's topics; answers are checked again here because not every
 * compatible server enforces the schema. Throws `AiProviderError` on provider failures.
 */
export async function classifyWithAi(
  provider: AiProvider,
  input: AiClassifyInput,
  options: CallOptions = DEFAULT_CALL_OPTIONS,
): Promise<AiClassification> {
  const maxNewTopics = Math.max(0, Math.min(MAX_NEW_TOPICS, input.maxNewTopics ?? 0));
  const base = {
    model: provider.model,
    promptVersion: PROMPT_VERSION,
    cacheKey: aiCacheKey(input.content, provider.model),
    contentTruncated: fenceContent(input.content).truncated,
  };
  if (input.topics.length === 0 && maxNewTopics === 0) {
    return {
      ...base,
      suggestions: [],
      dropped: [],
      usage: { promptTokens: 0, completionTokens: 0, totalTokens: 0 },
      attempts: 0,
    };
  }
  const body = {
    model: provider.model,
    temperature: 0,
    messages: buildMessages({ ...input, maxNewTopics }),
    response_format: {
      type: 'json_schema',
      json_schema: {
        name: 'topic_suggestions',
        strict: true,
        schema: answerSchema(input.topics, maxNewTopics),
      },
    },
  };
  const completion = await chatCompletion(provider, body, (json) => answerShape.parse(json), options);
  return {
    ...base,
    ...toSuggestions(completion.value, input.topics, maxNewTopics),
    model: completion.model,
    usage: completion.usage,
    attempts: completion.attempts,
  };
}

/** Maps answered names onto the user's topics (case and spacing forgiven), drops the rest, dedupes. */
function toSuggestions(
  answer: z.infer<typeof answerShape>,
  topics: readonly string[],
  maxNewTopics: number,
): { suggestions: TopicSuggestion[]; dropped: string[] } {
  const existing = new Map(topics.map((name) => [normalize(name), name]));
  const chosen = new Map<string, TopicSuggestion>();
  const dropped: string[] = [];
  const keep = (suggestion: TopicSuggestion) => {
    const key = normalize(suggestion.topic);
    const previous = chosen.get(key);
    if (!previous || previous.confidence < suggestion.confidence) chosen.set(key, suggestion);
  };
  for (const pick of answer.topics) {
    const name = existing.get(normalize(pick.name));
    if (name === undefined) dropped.push(pick.name);
    else keep({ topic: name, confidence: clamp(pick.confidence), isNew: false });
  }
  let added = 0;
  for (const pick of maxNewTopics > 0 ? answer.newTopics : []) {
    const parsed = topicNameSchema.safeParse(pick.name);
    if (!parsed.success) {
      dropped.push(pick.name);
      continue;
    }
    const name = existing.get(normalize(parsed.data));
    if (name !== undefined) keep({ topic: name, confidence: clamp(pick.confidence), isNew: false });
    else if (!chosen.has(normalize(parsed.data)) && added < maxNewTopics) {
      keep({ topic: parsed.data, confidence: clamp(pick.confidence), isNew: true });
      added++;
    } else dropped.push(pick.name);
  }
  if (maxNewTopics === 0) dropped.push(...answer.newTopics.map((pick) => pick.name));
  const suggestions = [...chosen.values()].sort((a, b) => b.confidence - a.confidence);
  return { suggestions, dropped };
}

function normalize(name: string): string {
  return name.normalize('NFC').trim().replace(/\s+/g, ' ').toLowerCase();
}

function clamp(confidence: number): number {
  return Number.isFinite(confidence) ? Math.min(1, Math.max(0, confidence)) : 0;
}
