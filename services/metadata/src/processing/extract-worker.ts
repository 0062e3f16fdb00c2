/**
 * The extraction worker thread: one per document, started by `extract.ts` with heap limits and a
 * wall-clock timer that terminates it. Every parser touching untrusted bytes runs here, so a hang,
 * a crash or a heap blow-up ends this thread only. Loaded by Node's own type stripping: import only
 * `.ts` files with erasable syntax and npm packages.
 */
import { parentPort, workerData } from 'node:worker_threads';
import { ExtractionFailure, type WorkerRequest, type WorkerResponse } from './extraction-types.ts';
import type { OcrEngine } from './extractors/ocr.ts';
import { extractJson, extractPlain } from './extractors/plain.ts';
import { detectLanguage } from './language.ts';
import { sniff } from './sniff.ts';
import { TextCollector } from './text-collector.ts';

async function run({ bytes, hints, limits }: WorkerRequest): Promise<WorkerResponse> {
  const out = new TextCollector(limits.maxTextChars);
  // Readers load on demand: a text file should not pay for pdf.js, mammoth and tesseract.
  let ocr: OcrEngine | undefined;
  const ocrEngine = async () => {
    const { OcrEngine } = await import('./extractors/ocr.ts');
    ocr ??= new OcrEngine();
    return ocr;
  };
  try {
    const { kind, mime } = await sniff(bytes, hints);
    let pages: number | undefined;
    let ocrPages = 0;
    let skipped = 0;
    switch (kind) {
      case 'pdf': {
        const { extractPdf } = await import('./extractors/pdf.ts');
        const outcome = await extractPdf(bytes, out, limits, ocrEngine);
        ({ pages, ocrPages } = outcome);
        skipped = outcome.skippedPages;
        break;
      }
      case 'docx': {
        const { extractDocx } = await import('./extractors/docx.ts');
        await extractDocx(bytes, out, limits.maxUnzippedBytes);
        break;
      }
      case 'image': {
        const { checkImagePixels } = await import('./extractors/ocr.ts');
        checkImagePixels(bytes, limits.maxImagePixels);
        if (limits.ocr) {
          out.add(await (await ocrEngine()).recognize(bytes));
          ocrPages = 1;
        }
        pages = 1;
        break;
      }
      case 'html': {
        const { extractHtml } = await import('./extractors/html.ts');
        extractHtml(bytes, out, limits.maxInputBytes);
        break;
      }
      case 'json':
        extractJson(bytes, out);
        break;
      default:
        extractPlain(bytes, out);
    }
    const text = out.text();
    const language = detectLanguage(text);
    return {
      ok: true,
      kind,
      mime,
      text,
      ...(pages === undefined ? {} : { pages }),
      ...(language === undefined ? {} : { language }),
      ocrPages,
      truncated: out.truncated || skipped > 0,
    };
  } catch (error) {
    if (error instanceof ExtractionFailure)
      return { ok: false, reason: error.reason, message: error.message };
    const message = error instanceof Error ? error.message : String(error);
    return { ok: false, reason: 'failed', message: message.slice(0, 200) };
  } finally {
    await ocr?.close();
  }
}

const port = parentPort;
if (port) {
  void run(workerData as WorkerRequest).then((response) => port.postMessage(response));
}
