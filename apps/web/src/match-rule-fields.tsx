import type { MatchingAlgorithm } from '@docstore/contract';

export interface RuleDraft {
  algorithm: MatchingAlgorithm;
  pattern: string;
  caseSensitive: boolean;
}

export const NO_RULE: RuleDraft = { algorithm: 'none', pattern: '', caseSensitive: false };

/** The contract's algorithms, in words (repeated, not imported, to keep its schemas out of the bundle). */
const ALGORITHMS: Array<[MatchingAlgorithm, string]> = [
  ['none', 'No automatic matching'],
  ['any', 'Any of the words'],
  ['all', 'All of the words'],
  ['literal', 'The exact text'],
  ['regex', 'A regular expression (RE2)'],
  ['fuzzy', 'Approximately the text'],
];

/** A topic's rule as the server sent it, as a form draft. */
export function draftOf(match: { algorithm: string; pattern: string; caseSensitive: boolean } | undefined) {
  const known = ALGORITHMS.some(([value]) => value === match?.algorithm);
  return match && known ? { ...match, algorithm: match.algorithm as MatchingAlgorithm } : NO_RULE;
}

/** One line describing a saved rule, or null when the topic matches nothing by itself. */
export function describeRule(
  match: { algorithm: string; pattern: string; caseSensitive: boolean } | undefined,
) {
  const rule = draftOf(match);
  if (rule.algorithm === 'none') return null;
  const label = ALGORITHMS.find(([value]) => value === rule.algorithm)?.[1] ?? rule.algorithm;
  return `${label}: ${rule.pattern}${rule.caseSensitive ? ' (case sensitive)' : ''}`;
}

/** Algorithm, pattern and case sensitivity of a matching rule; `idPrefix` keeps label ids unique. */
export function MatchRuleFields(props: {
  idPrefix: string;
  rule: RuleDraft;
  onChange(rule: RuleDraft): void;
}) {
  const { rule, idPrefix } = props;
  const off = rule.algorithm === 'none';
  return (
    <fieldset class="match-rule">
      <legend>Matching rule</legend>
      <label for={`${idPrefix}-algorithm`}>Match documents whose text contains</label>
      <select
        id={`${idPrefix}-algorithm`}
        value={rule.algorithm}
        onChange={(event) =>
          props.onChange({ ...rule, algorithm: event.currentTarget.value as MatchingAlgorithm })
        }
      >
        {ALGORITHMS.map(([value, label]) => (
          <option key={value} value={value}>
            {label}
          </option>
        ))}
      </select>
      <label for={`${idPrefix}-pattern`}>Pattern</label>
      <input
        id={`${idPrefix}-pattern`}
        value={rule.pattern}
        maxLength={1000}
        disabled={off}
        required={!off}
        onInput={(event) => props.onChange({ ...rule, pattern: event.currentTarget.value })}
      />
      <label>
        <input
          type="checkbox"
          checked={rule.caseSensitive}
          disabled={off}
          onChange={(event) => props.onChange({ ...rule, caseSensitive: event.currentTarget.checked })}
        />
        Case sensitive
      </label>
    </fieldset>
  );
}
