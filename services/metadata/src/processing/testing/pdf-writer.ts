/**
 * A tiny PDF writer for tests and the throughput script: pages of Helvetica text, pages that are only
 * a JPEG (a "scan" with no text layer), and a page tree that can share one content stream so a
 * 10,000-page hostile file stays a few hundred kilobytes. Not for production output.
 */
export type PdfPage =
  | { text: string[] }
  | { jpeg: Uint8Array; width: number; height: number }
  /** A page whose content stream is given already deflated (a hostile page can be huge inflated). */
  | { deflatedContent: Uint8Array };

export function writePdf(pages: PdfPage[], options: { sharedPageCount?: number } = {}): Uint8Array {
  const objects: (string | Uint8Array)[][] = [];
  const add = (...parts: (string | Uint8Array)[]): number => {
    objects.push(parts);
    return objects.length;
  };
  const catalog = add(''); // patched below once the page tree's number is known
  const font = add('<< /Type /Font /Subtype /Type1 /BaseFont /Helvetica >>');
  const kids: number[] = [];
  for (const page of pages) {
    if ('deflatedContent' in page) {
      const stream = add(
        `<< /Length ${page.deflatedContent.length} /Filter /FlateDecode >>\nstream\n`,
        page.deflatedContent,
        '\nendstream',
      );
      kids.push(
        add(
          `<< /Type /Page /Parent PAGES_REF /MediaBox [0 0 612 792] /Resources << /Font << /F1 ${font} 0 R >> >> /Contents ${stream} 0 R >>`,
        ),
      );
    } else if ('text' in page) {
      const lines = page.text.map(
        (line, i) => `BT /F1 14 Tf 72 ${740 - i * 20} Td (${escapePdf(line)}) Tj ET`,
      );
      const content = lines.join('\n');
      const stream = add(`<< /Length ${content.length} >>\nstream\n${content}\nendstream`);
      kids.push(
        add(
          `<< /Type /Page /Parent PAGES_REF /MediaBox [0 0 612 792] /Resources << /Font << /F1 ${font} 0 R >> >> /Contents ${stream} 0 R >>`,
        ),
      );
    } else {
      const image = add(
        `<< /Type /XObject /Subtype /Image /Width ${page.width} /Height ${page.height} /ColorSpace /DeviceRGB /BitsPerComponent 8 /Filter /DCTDecode /Length ${page.jpeg.length} >>\nstream\n`,
        page.jpeg,
        '\nendstream',
      );
      const drawWidth = 540;
      const drawHeight = Math.round((drawWidth * page.height) / page.width);
      const content = `q ${drawWidth} 0 0 ${drawHeight} 36 ${760 - drawHeight} cm /Im1 Do Q`;
      const stream = add(`<< /Length ${content.length} >>\nstream\n${content}\nendstream`);
      kids.push(
        add(
          `<< /Type /Page /Parent PAGES_REF /MediaBox [0 0 612 792] /Resources << /XObject << /Im1 ${image} 0 R >> >> /Contents ${stream} 0 R >>`,
        ),
      );
    }
  }
  // Many page objects pointing at one shared content stream: a huge page count in a small file.
  const shared = options.sharedPageCount ?? 0;
  if (shared > 0) {
    const content = 'BT /F1 14 Tf 72 740 Td (repeated page) Tj ET';
    const stream = add(`<< /Length ${content.length} >>\nstream\n${content}\nendstream`);
    for (let i = 0; i < shared; i++) {
      kids.push(
        add(
          `<< /Type /Page /Parent PAGES_REF /MediaBox [0 0 612 792] /Resources << /Font << /F1 ${font} 0 R >> >> /Contents ${stream} 0 R >>`,
        ),
      );
    }
  }
  const tree = add(
    `<< /Type /Pages /Kids [${kids.map((k) => `${k} 0 R`).join(' ')}] /Count ${kids.length} >>`,
  );
  objects[catalog - 1] = [`<< /Type /Catalog /Pages ${tree} 0 R >>`];
  // Page objects were written before the tree's number was known: point them at it now.
  for (const kid of kids) {
    const parts = objects[kid - 1];
    if (parts) objects[kid - 1] = parts.map((p) => (typeof p === 'string' ? fixParent(p, tree) : p));
  }

  const encoder = new TextEncoder();
  const chunks: Uint8Array[] = [encoder.encode('%PDF-1.4\n%\xE2\xE3\xCF\xD3\n')];
  let offset = chunks[0]?.length ?? 0;
  const offsets: number[] = [];
  objects.forEach((parts, index) => {
    offsets.push(offset);
    const body = [
      encoder.encode(`${index + 1} 0 obj\n`),
      ...parts.map(toBytes),
      encoder.encode('\nendobj\n'),
    ];
    for (const b of body) {
      chunks.push(b);
      offset += b.length;
    }
  });
  const xref = [
    'xref',
    `0 ${objects.length + 1}`,
    '0000000000 65535 f ',
    ...offsets.map((o) => `${String(o).padStart(10, '0')} 00000 n `),
    'trailer',
    `<< /Size ${objects.length + 1} /Root ${catalog} 0 R >>`,
    'startxref',
    String(offset),
    '%%EOF',
    '',
  ].join('\n');
  chunks.push(encoder.encode(xref));
  return Buffer.concat(chunks);

  function toBytes(part: string | Uint8Array): Uint8Array {
    return typeof part === 'string' ? encoder.encode(part) : part;
  }
}

function fixParent(dict: string, tree: number): string {
  return dict.replace(/\/Parent PAGES_REF/, `/Parent ${tree} 0 R`);
}

function escapePdf(text: string): string {
  return text.replace(/[\\()]/g, (c) => `\\${c}`);
}
