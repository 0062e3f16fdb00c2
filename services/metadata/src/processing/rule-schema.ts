import { DocstoreError } from '@docstore/contract';
import { RE2JS } from 're2js';
import { z } from 'zod';

/**
 * A topic's matching rule, after Paperless-ngx's matching algorithms. Lives here until the topics
 * router takes rules; then this schema moves into packages/contract (which will need `re2js` to keep
 * the regex check at the boundary).
 */
export const MATCHING_ALGORITHMS = ['none', 'any', 'all', 'literal', 'regex', 'fuzzy'] as const;
export type MatchingAlgorithm = (typeof MATCHING_ALGORITHMS)[number];

/** Long enough for any real rule; bounds the compile cost of a hostile regex. */
export const MAX_PATTERN_LENGTH = 1000;

export const matchingRuleSchema = z
  .object({
    /**
     * `none`: never matches. `any`: one of the words. `all`: every word. (Words split on spaces;
     * "quoted phrases" stay one word.) `literal`: the exact string as a whole word. `regex`: an RE2
     * regular expression (linear time: no backreferences, no lookaround). `fuzzy`: the pattern
     * appears approximately (Paperless's partial ratio >= 90 after dropping punctuation).
     */
    algorithm: z.enum(MATCHING_ALGORITHMS),
    pattern: z.string().max(MAX_PATTERN_LENGTH),
    caseSensitive: z.boolean().default(false),
  })
  .superRefine((rule, ctx) => {
    if (rule.algorithm === 'none') return;
    if (rule.pattern.trim() === '') {
      ctx.addIssue({
        code: 'custom',
        path: ['pattern'],
        message: `a ${rule.algorithm} rule needs a pattern`,
      });
      return;
    }
    if (rule.algorithm === 'regex') {
      const problem = regexProblem(rule.pattern);
      if (problem)
        ctx.addIssue({
          code: 'custom',
          path: ['pattern'],
          message: `invalid regular expression: ${problem}`,
        });
    }
  });

export type MatchingRule = z.output<typeof matchingRuleSchema>;
export type MatchingRuleInput = z.input<typeof matchingRuleSchema>;

/**
 * Validates a rule at save time: INVALID_INPUT (tRPC BAD_REQUEST) naming the problem, e.g. a regex
 * RE2 cannot compile. A saved rule therefore always compiles when documents are matched.
 */
export function parseMatchingRule(input: unknown): MatchingRule {
  const parsed = matchingRuleSchema.safeParse(input);
  if (parsed.success) return parsed.data;
  const message = parsed.error.issues.map((issue) => issue.message).join('; ');
  throw new DocstoreError('INVALID_INPUT', `invalid matching rule: ${message}`, { cause: parsed.error });
}

/** Why RE2 refuses `pattern`, or undefined when it compiles. */
function regexProblem(pattern: string): string | undefined {
  try {
    RE2JS.compile(pattern);
    return undefined;
  } catch (error) {
    return (error instanceof Error ? error.message : String(error)).replace(/^error parsing regexp: /, '');
  }
}
