import { convert } from 'html-to-text';
import type { TextCollector } from '../text-collector.ts';

/**
 * HTML through html-to-text (htmlparser2 underneath): what a reader sees, without scripts, styles,
 * link targets or image sources. `maxDepth` bounds its recursion on hostile nesting.
 */
export function extractHtml(bytes: Uint8Array, out: TextCollector, maxInputLength: number): void {
  const text = convert(new TextDecoder().decode(bytes), {
    wordwrap: false,
    limits: { maxInputLength, maxDepth: 200, ellipsis: '' },
    selectors: [
      { selector: 'script', format: 'skip' },
      { selector: 'style', format: 'skip' },
      { selector: 'noscript', format: 'skip' },
      { selector: 'template', format: 'skip' },
      { selector: 'svg', format: 'skip' },
      { selector: 'img', format: 'skip' },
      { selector: 'a', options: { ignoreHref: true } },
      { selector: 'h1', options: { uppercase: false } },
      { selector: 'h2', options: { uppercase: false } },
      { selector: 'h3', options: { uppercase: false } },
      { selector: 'h4', options: { uppercase: false } },
      { selector: 'h5', options: { uppercase: false } },
      { selector: 'h6', options: { uppercase: false } },
      { selector: 'table', format: 'dataTable', options: { uppercaseHeaderCells: false } },
    ],
  });
  out.add(text);
}
