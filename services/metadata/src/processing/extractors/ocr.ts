import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import { imageSize } from 'image-size';
import { createWorker, type Worker as TesseractWorker } from 'tesseract.js';
import { ExtractionFailure } from '../extraction-types.ts';

/**
 * The English traineddata that `@tesseract.js-data/eng` ships inside the package: with `langPath`
 * pointing there, tesseract.js reads it from disk and never reaches for its CDN.
 */
function englishDataPath(): string {
  const require = createRequire(import.meta.url);
  return join(dirname(require.resolve('@tesseract.js-data/eng/package.json')), '4.0.0_best_int');
}

/** One tesseract engine per extraction, started on first use (it costs ~0.4 s) and reused per page. */
export class OcrEngine {
  private worker: Promise<TesseractWorker> | undefined;

  async recognize(image: Uint8Array): Promise<string> {
    this.worker ??= createWorker('eng', 1, {
      langPath: englishDataPath(),
      gzip: true,
      cacheMethod: 'none',
      logger: () => {},
      errorHandler: () => {},
    });
    const worker = await this.worker;
    try {
      const result = await worker.recognize(Buffer.from(image.buffer, image.byteOffset, image.byteLength));
      return result.data.text.trim();
    } catch (error) {
      throw new ExtractionFailure('corrupt', `image not readable: ${String(error).slice(0, 200)}`);
    }
  }

  /** Ends tesseract's own thread (it runs nested inside the extraction worker). */
  async close(): Promise<void> {
    const worker = await this.worker?.catch(() => undefined);
    await worker?.terminate();
  }
}

/**
 * Reads an image's dimensions from its header and refuses more than `maxPixels` BEFORE tesseract
 * decodes it: the decoder's WebAssembly memory is outside the worker's V8 heap limit.
 */
export function checkImagePixels(image: Uint8Array, maxPixels: number): void {
  let size: { width?: number; height?: number };
  try {
    size = imageSize(image);
  } catch {
    throw new ExtractionFailure('corrupt', 'image header not readable');
  }
  const { width = 0, height = 0 } = size;
  if (width <= 0 || height <= 0) throw new ExtractionFailure('corrupt', 'image has no dimensions');
  if (width * height > maxPixels) {
    throw new ExtractionFailure('image_too_large', `image is ${width}x${height} pixels`);
  }
}
