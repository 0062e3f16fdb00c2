import { createHash } from 'node:crypto';
import { Worker } from 'node:worker_threads';
import {
  DEFAULT_EXTRACTION_LIMITS,
  type ExtractionFailureReason,
  type ExtractionHints,
  type ExtractionKind,
  type ExtractionLimits,
  type WorkerRequest,
  type WorkerResponse,
} from './extraction-types.ts';
import { capText } from './text-collector.ts';

const WORKER_URL = new URL('./extract-worker.ts', import.meta.url);

/** What extraction found in one document's bytes. */
export interface Extraction {
  /** The text, at most `maxTextChars` UTF-16 code units (1 MiB by default). */
  text: string;
  /** Pages for PDFs (and 1 for an image). */
  pages?: number;
  /** ISO 639-3 code from franc-min, when the text is long enough to tell. */
  language?: string;
  /** Text was cut at the cap, or PDF pages were left unread (OCR budget, oversized page). */
  truncated: boolean;
  /** Hex SHA-256 of the bytes: the direct-upload path learns its hash here. */
  sha256: string;
  kind: ExtractionKind;
  /** The sniffed type (from the bytes, not the client's claim). */
  mime: string;
  /** Pages read by OCR. */
  ocrPages: number;
}

/** An extraction that failed for a named reason; the document's processing fails, nothing else. */
export class ExtractionError extends Error {
  override readonly name = 'ExtractionError';
  constructor(
    readonly reason: ExtractionFailureReason,
    message: string,
    /** Known even when reading failed, so duplicates and direct uploads still get their hash. */
    readonly sha256: string,
    options?: { cause?: unknown },
  ) {
    super(message, options);
  }
}

export function sha256Hex(bytes: Uint8Array): string {
  return createHash('sha256').update(bytes).digest('hex');
}

/**
 * Reads the text of untrusted bytes in a fresh worker thread with a V8 heap limit and a wall-clock
 * limit that terminates it. Resolves with the text or rejects with an `ExtractionError`; never
 * anything that could stop the calling thread. The caller's `bytes` are copied (a fresh buffer, transferable even for a pooled Buffer), not detached.
 */
export async function extractDocument(
  bytes: Uint8Array,
  hints: ExtractionHints = {},
  overrides: Partial<ExtractionLimits> = {},
): Promise<Extraction> {
  const limits: ExtractionLimits = { ...DEFAULT_EXTRACTION_LIMITS, ...overrides };
  const sha256 = sha256Hex(bytes);
  if (bytes.byteLength > limits.maxInputBytes) {
    throw new ExtractionError(
      'too_large',
      `${bytes.byteLength} bytes (at most ${limits.maxInputBytes})`,
      sha256,
    );
  }
  const response = await runWorker({ bytes: new Uint8Array(bytes), hints, limits }, limits, sha256);
  if (!response.ok) throw new ExtractionError(response.reason, response.message, sha256);
  // The worker caps as it reads; capping again here means a faulty worker cannot hand back more.
  const text = capText(response.text, limits.maxTextChars);
  return {
    text,
    ...(response.pages === undefined ? {} : { pages: response.pages }),
    ...(response.language === undefined ? {} : { language: response.language }),
    truncated: response.truncated || text.length < response.text.length,
    sha256,
    kind: response.kind,
    mime: response.mime,
    ocrPages: response.ocrPages,
  };
}

function runWorker(
  request: WorkerRequest,
  limits: ExtractionLimits,
  sha256: string,
): Promise<WorkerResponse> {
  return new Promise((resolve, reject) => {
    const worker = new Worker(WORKER_URL, {
      workerData: request,
      transferList: [request.bytes.buffer as ArrayBuffer],
      resourceLimits: {
        maxOldGenerationSizeMb: limits.maxHeapMb,
        maxYoungGenerationSizeMb: 32,
        stackSizeMb: 4,
      },
      // Parsers print warnings about hostile files; drop them rather than let a file flood our logs.
      stdout: true,
      stderr: true,
    });
    worker.stdout.resume();
    worker.stderr.resume();
    let settled = false;
    const settle = (outcome: () => void) => {
      if (settled) return;
      settled = true;
      clearTimeout(timer);
      outcome();
      // The answer is in; whatever the thread still holds (tesseract's thread, pdf.js) goes now.
      void worker.terminate();
    };
    const timer = setTimeout(() => {
      settle(() =>
        reject(new ExtractionError('timeout', `extraction ran past ${limits.timeoutMs} ms`, sha256)),
      );
    }, limits.timeoutMs);
    worker.once('message', (response: WorkerResponse) => settle(() => resolve(response)));
    worker.once('error', (error: Error & { code?: string }) => {
      const reason = error.code === 'ERR_WORKER_OUT_OF_MEMORY' ? 'out_of_memory' : 'failed';
      const message =
        reason === 'out_of_memory' ? `worker ran past ${limits.maxHeapMb} MB of heap` : 'worker crashed';
      settle(() => reject(new ExtractionError(reason, message, sha256, { cause: error })));
    });
    worker.once('exit', (code) => {
      settle(() => reject(new ExtractionError('failed', `worker exited with code ${code}`, sha256)));
    });
  });
}
