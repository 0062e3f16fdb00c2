import { DocstoreError, type MatchingRule, matchingRuleSchema } from '@docstore/contract';

/*
 * The matching rule's schema lives in the contract (topics.create/update take it, with RE2's regex
 * check at the boundary); re-exported here for the processing code that matches with it.
 */
export {
  MATCHING_ALGORITHMS,
  MAX_PATTERN_LENGTH,
  type MatchingAlgorithm,
  type MatchingRule,
  type MatchingRuleInput,
  matchingRuleSchema,
} from '@docstore/contract';

/**
 * Validates a rule read from anywhere but the API (which validates it already): INVALID_INPUT
 * naming the problem, e.g. a regex RE2 cannot compile.
 */
export function parseMatchingRule(input: unknown): MatchingRule {
  const parsed = matchingRuleSchema.safeParse(input);
  if (parsed.success) return parsed.data;
  const message = parsed.error.issues.map((issue) => issue.message).join('; ');
  throw new DocstoreError('INVALID_INPUT', `invalid matching rule: ${message}`, { cause: parsed.error });
}
