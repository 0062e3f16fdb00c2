/*
 * The search snippet marks matches between `<<` and `>>` (SNIPPET_START/SNIPPET_STOP in the contract;
 * repeated here as plain strings so the page does not bundle the contract's schema module).
 */
const START = '<<';
const STOP = '>>';

/** Plain and matched parts of a snippet, in order; an unclosed mark runs to the end. */
export function splitSnippet(snippet: string): Array<{ text: string; marked: boolean }> {
  const parts: Array<{ text: string; marked: boolean }> = [];
  let rest = snippet;
  while (rest.length > 0) {
    const open = rest.indexOf(START);
    if (open < 0) {
      parts.push({ text: rest, marked: false });
      break;
    }
    if (open > 0) parts.push({ text: rest.slice(0, open), marked: false });
    rest = rest.slice(open + START.length);
    const close = rest.indexOf(STOP);
    const inside = close < 0 ? rest : rest.slice(0, close);
    if (inside) parts.push({ text: inside, marked: true });
    rest = close < 0 ? '' : rest.slice(close + STOP.length);
  }
  return parts;
}

/**
 * Server text rendered as text nodes only (never as HTML): a document that contains markup shows
 * that markup as characters; only the match marks become <mark> elements.
 */
export function Snippet(props: { text: string }) {
  return (
    <span class="snippet" data-testid="snippet">
      {splitSnippet(props.text).map((part, index) =>
        part.marked ? <mark key={index}>{part.text}</mark> : part.text,
      )}
    </span>
  );
}
