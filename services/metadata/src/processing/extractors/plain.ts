import type { TextCollector } from '../text-collector.ts';

/** Plain text, Markdown and CSV are read as they are: their words are the searchable text. */
export function extractPlain(bytes: Uint8Array, out: TextCollector): void {
  out.add(new TextDecoder().decode(bytes).replace(/\r\n?/g, '\n'));
}

/**
 * JSON: the keys and string/number values, one per line, so search finds values and not braces.
 * Walked with an explicit stack: a deeply nested hostile document cannot overflow the call stack.
 * Text that does not parse is kept as plain text.
 */
export function extractJson(bytes: Uint8Array, out: TextCollector): void {
  const raw = new TextDecoder().decode(bytes);
  let root: unknown;
  try {
    root = JSON.parse(raw);
  } catch {
    out.add(raw);
    return;
  }
  const stack: unknown[] = [root];
  while (stack.length > 0 && !out.full) {
    const value = stack.pop();
    if (typeof value === 'string') out.add(value, '\n');
    else if (typeof value === 'number' || typeof value === 'boolean') out.add(String(value), '\n');
    else if (Array.isArray(value)) {
      for (let i = value.length - 1; i >= 0; i--) stack.push(value[i]);
    } else if (value !== null && typeof value === 'object') {
      const entries = Object.entries(value);
      for (let i = entries.length - 1; i >= 0; i--) {
        const entry = entries[i];
        if (!entry) continue;
        stack.push(entry[1]);
        stack.push(entry[0]);
      }
    }
  }
}
