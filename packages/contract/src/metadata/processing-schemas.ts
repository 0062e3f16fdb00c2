import { RE2JS } from 're2js';
import { z } from 'zod';
import { uuidSchema } from '../blob/schemas.ts';

/*
 * What document processing adds to the API (issue 11): matching rules on topics, full-text search,
 * extracted text, reprocessing and AI topic suggestions. Kept apart from schemas.ts so the document
 * and topic shapes there only gain optional fields.
 */

/** A topic's matching rule, after Paperless-ngx's matching algorithms. */
export const MATCHING_ALGORITHMS = ['none', 'any', 'all', 'literal', 'regex', 'fuzzy'] as const;
export type MatchingAlgorithm = (typeof MATCHING_ALGORITHMS)[number];

/** Long enough for any real rule; bounds the compile cost of a hostile regex. */
export const MAX_PATTERN_LENGTH = 1000;

/** Why RE2 refuses `pattern`, or undefined when it compiles. */
function regexProblem(pattern: string): string | undefined {
  try {
    RE2JS.compile(pattern);
    return undefined;
  } catch (error) {
    return (error instanceof Error ? error.message : String(error)).replace(/^error parsing regexp: /, '');
  }
}

export const matchingRuleSchema = z
  .object({
    /**
     * `none`: never matches. `any`: one of the words. `all`: every word. (Words split on spaces;
     * "quoted phrases" stay one word.) `literal`: the exact string as a whole word. `regex`: an RE2
     * regular expression (linear time: no backreferences, no lookaround). `fuzzy`: the pattern
     * appears approximately (partial ratio >= 90 after dropping punctuation).
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
      // Checked at the boundary: a saved rule always compiles when documents are matched.
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

/** Processing of a ready document: text extraction and rule matching (then, optionally, AI). */
export const processingStatusSchema = z.enum(['none', 'processing', 'processed', 'processing_failed']);
export type ProcessingStatus = z.infer<typeof processingStatusSchema>;

/** What processing found, on the document view. */
export const documentProcessingSchema = z.object({
  status: processingStatusSchema,
  /** Why processing failed (e.g. `unsupported_type`, `encrypted`, `timeout`); null otherwise. */
  failure: z.string().nullable(),
  /** Characters of extracted text; null before extraction. */
  textLength: z.number().int().nonnegative().nullable(),
  pages: z.number().int().nonnegative().nullable(),
  /** ISO 639-3 code, when the text is long enough to tell. */
  language: z.string().nullable(),
  /** The text was cut at the extraction cap. */
  truncated: z.boolean(),
  /** The oldest ready document of the caller with the same bytes, when this one is a copy. */
  duplicateOf: uuidSchema.nullable(),
});
export type DocumentProcessing = z.infer<typeof documentProcessingSchema>;

export const searchInputSchema = z.object({
  /** Web-search syntax: words, "quoted phrases", -excluded, or. Names match typo-tolerantly too. */
  query: z.string().trim().min(1).max(500),
  topic: z.string().trim().min(1).max(64).optional(),
  limit: z.number().int().min(1).max(100).default(20),
  /** Opaque: the `nextCursor` of the previous page. */
  cursor: z.string().max(300).optional(),
});
export type SearchInput = z.input<typeof searchInputSchema>;

/** Marks around matched words in `snippet`. */
export const SNIPPET_START = '<<';
export const SNIPPET_STOP = '>>';

export const searchHitSchema = z.object({
  id: uuidSchema,
  name: z.string(),
  mimeType: z.string(),
  topics: z.array(z.string()),
  /** Higher is better; comparable within one query only. */
  rank: z.number(),
  /** A fragment of the text with matches between `<<` and `>>`; null when only the name matched. */
  snippet: z.string().nullable(),
  createdAt: z.iso.datetime(),
});
export type SearchHit = z.infer<typeof searchHitSchema>;

export const searchPageSchema = z.object({
  items: z.array(searchHitSchema),
  nextCursor: z.string().nullable(),
});
export type SearchPage = z.infer<typeof searchPageSchema>;

export const documentTextSchema = z.object({
  id: uuidSchema,
  /** The extracted text (at most about 1 MiB); null when there is none (yet). */
  text: z.string().nullable(),
  processing: documentProcessingSchema,
});
export type DocumentText = z.infer<typeof documentTextSchema>;

export const topicSuggestionSchema = z.object({
  id: uuidSchema,
  /** The topic's name: an existing topic, or a new one when `isNew`. */
  topic: z.string(),
  isNew: z.boolean(),
  confidence: z.number().min(0).max(1),
  state: z.enum(['pending', 'applied', 'dismissed']),
  model: z.string(),
});
export type TopicSuggestionView = z.infer<typeof topicSuggestionSchema>;

export const applySuggestionsInputSchema = z.object({
  id: uuidSchema,
  /** Suggestion ids to apply (a new topic is created first). */
  accept: z.array(uuidSchema).max(100),
  /** Suggestion ids to dismiss. */
  reject: z.array(uuidSchema).max(100).default([]),
});
