/**
 * Collects extracted text up to a cap. The cap is applied HERE, as text arrives inside the worker,
 * so a 2,000-page PDF stops being read once the cap is reached instead of building a huge string.
 */
export class TextCollector {
  private readonly parts: string[] = [];
  private length = 0;
  truncated = false;
  private readonly maxChars: number;

  constructor(maxChars: number) {
    this.maxChars = maxChars;
  }

  /** True once the cap is reached: callers stop reading more. */
  get full(): boolean {
    return this.truncated || this.length >= this.maxChars;
  }

  /** Appends `text` (a page, a paragraph), separated from what came before by `separator`. */
  add(text: string, separator = '\n\n'): void {
    if (text.length === 0) return;
    const piece = this.length === 0 ? text : separator + text;
    const room = this.maxChars - this.length;
    if (piece.length <= room) {
      this.parts.push(piece);
      this.length += piece.length;
      return;
    }
    this.parts.push(capText(piece, room));
    this.length = this.maxChars;
    this.truncated = true;
  }

  text(): string {
    return this.parts.join('');
  }
}

/** The first `maxChars` code units of `text`, never splitting a surrogate pair. */
export function capText(text: string, maxChars: number): string {
  if (text.length <= maxChars) return text;
  let end = Math.max(0, maxChars);
  const last = text.charCodeAt(end - 1);
  if (last >= 0xd800 && last <= 0xdbff) end -= 1;
  return text.slice(0, end);
}
