import { getDocumentProxy, renderPageAsImage } from 'unpdf';
import { ExtractionFailure, type ExtractionLimits } from '../extraction-types.ts';
import type { TextCollector } from '../text-collector.ts';
import type { OcrEngine } from './ocr.ts';

/** A page with fewer visible characters than this has no real text layer (a scan): OCR it. */
const MIN_TEXT_LAYER_CHARS = 16;
/** Render width for OCR: ~180 dpi on a Letter/A4 page, enough for body text, bounded in memory. */
const OCR_RENDER_WIDTH = 1600;

export interface PdfOutcome {
  pages: number;
  ocrPages: number;
  /** Pages whose text was not read (OCR budget spent, page too large to render). */
  skippedPages: number;
}

/**
 * PDF text through unpdf (pdf.js built for servers), page by page so the text cap stops the reading
 * early; pages without a text layer are rendered with @napi-rs/canvas and OCRed, up to `maxOcrPages`.
 */
export async function extractPdf(
  bytes: Uint8Array,
  out: TextCollector,
  limits: ExtractionLimits,
  ocr: () => Promise<OcrEngine>,
): Promise<PdfOutcome> {
  const doc = await getDocumentProxy(bytes, {
    verbosity: 0,
    disableFontFace: true,
    useSystemFonts: false,
  }).catch((error: unknown) => {
    throw pdfFailure(error);
  });
  try {
    if (doc.numPages > limits.maxPdfPages) {
      throw new ExtractionFailure(
        'too_many_pages',
        `PDF has ${doc.numPages} pages (at most ${limits.maxPdfPages})`,
      );
    }
    const outcome: PdfOutcome = { pages: doc.numPages, ocrPages: 0, skippedPages: 0 };
    for (let number = 1; number <= doc.numPages && !out.full; number++) {
      const page = await doc.getPage(number).catch((error: unknown) => {
        throw pdfFailure(error);
      });
      const content = await page.getTextContent().catch((error: unknown) => {
        throw pdfFailure(error);
      });
      let text = '';
      for (const item of content.items) {
        if ('str' in item) text += item.str + (item.hasEOL ? '\n' : '');
      }
      if (text.replace(/\s/g, '').length >= MIN_TEXT_LAYER_CHARS || !limits.ocr) {
        out.add(text.trim());
      } else if (outcome.ocrPages >= limits.maxOcrPages) {
        out.add(text.trim());
        outcome.skippedPages++;
      } else {
        const viewport = page.getViewport({ scale: 1 });
        const scale = OCR_RENDER_WIDTH / viewport.width;
        if (viewport.width * viewport.height * scale * scale > limits.maxImagePixels) {
          outcome.skippedPages++;
        } else {
          const png = await renderPageAsImage(doc, number, {
            canvasImport: () => import('@napi-rs/canvas'),
            width: OCR_RENDER_WIDTH,
          });
          out.add(await (await ocr()).recognize(new Uint8Array(png)));
          outcome.ocrPages++;
        }
      }
      page.cleanup();
    }
    return outcome;
  } finally {
    await doc.loadingTask.destroy();
  }
}

/** pdf.js names its exceptions; anything it throws while parsing means a damaged file. */
function pdfFailure(error: unknown): ExtractionFailure {
  if (error instanceof ExtractionFailure) return error;
  const name = error instanceof Error ? error.name : '';
  const message = (error instanceof Error ? error.message : String(error)).slice(0, 200);
  if (name === 'PasswordException') return new ExtractionFailure('encrypted', 'PDF is password-protected');
  return new ExtractionFailure('corrupt', `PDF not readable: ${message}`);
}
