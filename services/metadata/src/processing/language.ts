import { franc } from 'franc-min';

/** Enough text to judge from; franc's trigram model is slow-ish and gains little beyond this. */
const SAMPLE_CHARS = 20_000;
const MIN_CHARS = 64;

/** The text's language as ISO 639-3 (`eng`, `deu`…), or undefined when too short or unsure. */
export function detectLanguage(text: string): string | undefined {
  const sample = text.slice(0, SAMPLE_CHARS);
  if (sample.replace(/\s/g, '').length < MIN_CHARS) return undefined;
  const code = franc(sample, { minLength: MIN_CHARS });
  return code === 'und' ? undefined : code;
}
