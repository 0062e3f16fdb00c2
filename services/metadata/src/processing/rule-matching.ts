import { partial_ratio } from 'fuzzball';
import { RE2JS } from 're2js';
import type { MatchingRule } from './rule-schema.ts';

/** Paperless-ngx's cut-off for `fuzzy`: rapidfuzz `partial_ratio(pattern, text) >= 90`. */
export const FUZZY_THRESHOLD = 90;

/** A rule ready to test many documents. */
export type CompiledRule = (text: string) => boolean;

/**
 * Compiles a rule saved through `parseMatchingRule`. Word rules (`any`, `all`, `literal`) build
 * native regexes from ESCAPED words only (no user syntax, so nothing can backtrack badly) with
 * Unicode-aware word boundaries; `regex` uses re2js, a linear-time engine, because the user writes it.
 */
export function compileRule(rule: MatchingRule): CompiledRule {
  const pattern = rule.pattern.normalize('NFC');
  if (rule.algorithm === 'none' || pattern.trim() === '') return () => false;
  const flags = rule.caseSensitive ? 'u' : 'iu';
  switch (rule.algorithm) {
    case 'any': {
      const words = splitWords(pattern).map((word) => wholeWord(word, flags));
      return (text) => words.some((word) => word.test(text.normalize('NFC')));
    }
    case 'all': {
      const words = splitWords(pattern).map((word) => wholeWord(word, flags));
      return (text) => {
        const normalized = text.normalize('NFC');
        return words.every((word) => word.test(normalized));
      };
    }
    case 'literal': {
      const literal = wholeWord(escapeRegExp(pattern), flags);
      return (text) => literal.test(text.normalize('NFC'));
    }
    case 'regex': {
      const regex = RE2JS.compile(pattern, rule.caseSensitive ? 0 : RE2JS.CASE_INSENSITIVE);
      return (text) => regex.matcher(text.normalize('NFC')).find();
    }
    case 'fuzzy': {
      const needle = fuzzyPrepare(pattern, rule.caseSensitive);
      return (text) => {
        const haystack = fuzzyPrepare(text, rule.caseSensitive);
        return partial_ratio(needle, haystack, { full_process: false }) >= FUZZY_THRESHOLD;
      };
    }
  }
}

/** Whether `text` matches `rule`; compile once with `compileRule` when testing many documents. */
export function matchesRule(rule: MatchingRule, text: string): boolean {
  return compileRule(rule)(text);
}

/**
 * Paperless's word split: whitespace-separated words, "quoted phrases" kept together, each escaped,
 * with any run of spaces inside a phrase matching any run of whitespace in the text.
 */
function splitWords(pattern: string): string[] {
  const words: string[] = [];
  for (const [, quoted, bare] of pattern.matchAll(/"([^"]+)"|(\S+)/g)) {
    const word = (quoted ?? bare ?? '').trim().replace(/\s+/g, ' ');
    if (word !== '') words.push(escapeRegExp(word).replace(/ /g, '\\s+'));
  }
  return words;
}

/** `source` bounded by non-word characters, where letters of any script count as word characters. */
function wholeWord(source: string, flags: string): RegExp {
  return new RegExp(`(?<![\\p{L}\\p{N}_])(?:${source})(?![\\p{L}\\p{N}_])`, flags);
}

function escapeRegExp(text: string): string {
  // Only syntax characters: with the `u` flag, escaping anything else (like `-`) is a syntax error.
  return text.replace(/[.*+?^${}()|[\]\\/]/g, '\\$&');
}

/** Paperless drops everything but word characters and whitespace before comparing. */
function fuzzyPrepare(text: string, caseSensitive: boolean): string {
  const stripped = text.normalize('NFC').replace(/[^\p{L}\p{N}_\s]/gu, '');
  return caseSensitive ? stripped : stripped.toLowerCase();
}
