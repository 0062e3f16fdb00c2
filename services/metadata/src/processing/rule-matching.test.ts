import { DocstoreError } from '@docstore/contract';
import { describe, expect, it } from 'vitest';
import { compileRule, matchesRule } from './rule-matching.ts';
import { type MatchingRuleInput, parseMatchingRule } from './rule-schema.ts';

const INVOICE =
  'INVOICE No. 2024-117\nFrom: Zebrafish Logistics GmbH, Müllerstraße 5\nTotal due: 1,234.56 EUR by café-order.';

function matches(input: MatchingRuleInput, text = INVOICE): boolean {
  return matchesRule(parseMatchingRule(input), text);
}

describe('matching rules', () => {
  it('none never matches, and an empty pattern never matches', () => {
    expect(matches({ algorithm: 'none', pattern: 'invoice' })).toBe(false);
    expect(matches({ algorithm: 'none', pattern: '' })).toBe(false);
  });

  it('any: one whole word is enough; parts of words do not count', () => {
    expect(matches({ algorithm: 'any', pattern: 'receipt invoice' })).toBe(true);
    expect(matches({ algorithm: 'any', pattern: 'receipt voice' })).toBe(false);
    expect(matches({ algorithm: 'any', pattern: 'fish' })).toBe(false);
  });

  it('all: every word must appear, quoted phrases stay together with any whitespace', () => {
    expect(matches({ algorithm: 'all', pattern: 'invoice total' })).toBe(true);
    expect(matches({ algorithm: 'all', pattern: 'invoice receipt' })).toBe(false);
    expect(matches({ algorithm: 'all', pattern: '"zebrafish   logistics" total' })).toBe(true);
    expect(matches({ algorithm: 'all', pattern: '"logistics zebrafish"' })).toBe(false);
    // Whitespace in a phrase matches a line break in the text.
    expect(matches({ algorithm: 'all', pattern: '"2024-117 from"' })).toBe(true);
  });

  it('literal: the exact string as a whole word, punctuation taken literally', () => {
    expect(matches({ algorithm: 'literal', pattern: 'Total due: 1,234.56' })).toBe(true);
    expect(matches({ algorithm: 'literal', pattern: 'Total due 1,234.56' })).toBe(false);
    expect(matches({ algorithm: 'literal', pattern: '1.234.56' })).toBe(false);
    expect(matches({ algorithm: 'literal', pattern: 'No. 2024' })).toBe(true);
    expect(matches({ algorithm: 'literal', pattern: 'No. 202' })).toBe(false);
  });

  it('word boundaries know non-ASCII letters', () => {
    expect(matches({ algorithm: 'any', pattern: 'müllerstraße' })).toBe(true);
    expect(matches({ algorithm: 'any', pattern: 'müller' })).toBe(false);
    expect(matches({ algorithm: 'literal', pattern: 'café' })).toBe(true);
    expect(matches({ algorithm: 'any', pattern: 'caf' })).toBe(false);
  });

  it('regex: RE2 syntax, searched anywhere in the text', () => {
    expect(matches({ algorithm: 'regex', pattern: 'INVOICE No\\. \\d{4}-\\d+' })).toBe(true);
    expect(matches({ algorithm: 'regex', pattern: '^From:' })).toBe(false);
    expect(matches({ algorithm: 'regex', pattern: '(?m)^From:' })).toBe(true);
    expect(matches({ algorithm: 'regex', pattern: '\\d+,\\d{3}\\.\\d{2} (USD|GBP)' })).toBe(false);
  });

  it('a catastrophic-backtracking regex runs in linear time', () => {
    const rule = parseMatchingRule({ algorithm: 'regex', pattern: '(a+)+$' });
    const hostile = `${'a'.repeat(50_000)}!`;
    const started = performance.now();
    expect(compileRule(rule)(hostile)).toBe(false);
    // A backtracking engine needs ~2^50000 steps here; RE2 is linear.
    expect(performance.now() - started).toBeLessThan(2000);
  });

  it('fuzzy: near matches pass at partial ratio >= 90, punctuation ignored', () => {
    expect(matches({ algorithm: 'fuzzy', pattern: 'zebrafish logistic' })).toBe(true);
    expect(matches({ algorithm: 'fuzzy', pattern: 'Zebrafsh Logistics' })).toBe(true);
    expect(matches({ algorithm: 'fuzzy', pattern: 'zebra-fish, logistics!' })).toBe(true);
    expect(matches({ algorithm: 'fuzzy', pattern: 'okapi transport' })).toBe(false);
  });

  it('case sensitivity applies to every algorithm', () => {
    const cases: MatchingRuleInput['algorithm'][] = ['any', 'all', 'literal', 'regex', 'fuzzy'];
    for (const algorithm of cases) {
      expect(matches({ algorithm, pattern: 'zebrafish', caseSensitive: false }), algorithm).toBe(true);
      expect(matches({ algorithm, pattern: 'zebrafish', caseSensitive: true }), algorithm).toBe(false);
      expect(matches({ algorithm, pattern: 'Zebrafish', caseSensitive: true }), algorithm).toBe(true);
    }
  });

  it('case-insensitive by default', () => {
    expect(parseMatchingRule({ algorithm: 'any', pattern: 'x' }).caseSensitive).toBe(false);
  });
});

describe('rule validation at save', () => {
  function invalid(input: unknown): DocstoreError {
    try {
      parseMatchingRule(input);
    } catch (error) {
      if (error instanceof DocstoreError) return error;
      throw error;
    }
    throw new Error('expected the rule to be refused');
  }

  it('an invalid regex is INVALID_INPUT (BAD_REQUEST) naming the problem', () => {
    const error = invalid({ algorithm: 'regex', pattern: 'invoice [0-9' });
    expect(error.code).toBe('INVALID_INPUT');
    expect(error.message).toContain('missing closing ]');
  });

  it('syntax RE2 cannot run in linear time is refused: backreferences, lookaround, huge repeats', () => {
    expect(invalid({ algorithm: 'regex', pattern: '(a)\\1' }).code).toBe('INVALID_INPUT');
    expect(invalid({ algorithm: 'regex', pattern: '(?=a)b' }).code).toBe('INVALID_INPUT');
    expect(invalid({ algorithm: 'regex', pattern: '(a{1000}){1000}' }).code).toBe('INVALID_INPUT');
  });

  it('an unknown algorithm, an empty pattern or an overlong pattern is refused', () => {
    expect(invalid({ algorithm: 'auto', pattern: 'x' }).code).toBe('INVALID_INPUT');
    expect(invalid({ algorithm: 'any', pattern: '   ' }).message).toContain('needs a pattern');
    expect(invalid({ algorithm: 'literal', pattern: 'x'.repeat(1001) }).code).toBe('INVALID_INPUT');
  });
});
