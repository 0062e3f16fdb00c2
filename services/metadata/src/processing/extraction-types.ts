/**
 * Shapes shared by the extraction worker and its caller. Only erasable TypeScript here (no enums,
 * no parameter properties): the worker thread loads this file with Node's own type stripping.
 */

/** Why an extraction failed; stored as the document's processing failure reason. */
export const EXTRACTION_FAILURES = [
  /** The sniffed type is none we read (an executable, an archive, an unknown binary). */
  'unsupported_type',
  /** The input is larger than `maxInputBytes`. */
  'too_large',
  /** A PDF with more pages than `maxPdfPages`. */
  'too_many_pages',
  /** An image (or a PDF page to OCR) with more pixels than `maxImagePixels`. */
  'image_too_large',
  /** A DOCX whose archive would unpack beyond `maxUnzippedBytes` or holds too many entries. */
  'archive_too_large',
  /** A password-protected PDF. */
  'encrypted',
  /** The parser rejected the file: corrupt, truncated, or not what its bytes claim. */
  'corrupt',
  /** The worker ran past `timeoutMs` and was terminated. */
  'timeout',
  /** The worker ran past its heap limit and was terminated. */
  'out_of_memory',
  /** Anything else the worker threw; the message says what. */
  'failed',
] as const;
export type ExtractionFailureReason = (typeof EXTRACTION_FAILURES)[number];

/** Which reader handled the bytes. */
export type ExtractionKind = 'pdf' | 'docx' | 'image' | 'html' | 'markdown' | 'csv' | 'json' | 'text';

/** Bounds on one extraction; every field has a default in `DEFAULT_EXTRACTION_LIMITS`. */
export interface ExtractionLimits {
  /** Bytes accepted at all. */
  maxInputBytes: number;
  /** Text kept, in UTF-16 code units (~1 MiB for Latin text); the rest is cut and `truncated` set. */
  maxTextChars: number;
  maxPdfPages: number;
  /** PDF pages without a text layer that get OCR; later ones are skipped and `truncated` set. */
  maxOcrPages: number;
  maxImagePixels: number;
  maxUnzippedBytes: number;
  /** Wall-clock limit for the whole extraction, worker start included. */
  timeoutMs: number;
  /** V8 old-generation heap of the worker. */
  maxHeapMb: number;
  /** Whether images and text-less PDF pages are OCRed at all. */
  ocr: boolean;
}

export const DEFAULT_EXTRACTION_LIMITS: ExtractionLimits = {
  maxInputBytes: 100 * 1024 * 1024,
  maxTextChars: 1024 * 1024,
  maxPdfPages: 2000,
  maxOcrPages: 20,
  maxImagePixels: 40_000_000,
  maxUnzippedBytes: 64 * 1024 * 1024,
  timeoutMs: 120_000,
  maxHeapMb: 512,
  ocr: true,
};

/** What the caller knows besides the bytes; used only when sniffing finds no binary signature. */
export interface ExtractionHints {
  /** The file name as uploaded (its extension picks between text formats). */
  name?: string;
  /** The content type the client declared. */
  contentType?: string;
}

export interface WorkerRequest {
  bytes: Uint8Array;
  hints: ExtractionHints;
  limits: ExtractionLimits;
}

export type WorkerResponse =
  | {
      ok: true;
      kind: ExtractionKind;
      mime: string;
      text: string;
      pages?: number;
      language?: string;
      ocrPages: number;
      truncated: boolean;
    }
  | { ok: false; reason: ExtractionFailureReason; message: string };

/** A failure the worker recognised: thrown inside extractors, turned into a response by the worker. */
export class ExtractionFailure extends Error {
  override name = 'ExtractionFailure';
  reason: ExtractionFailureReason;
  constructor(reason: ExtractionFailureReason, message: string) {
    super(message);
    this.reason = reason;
  }
}
