import { isUtf8 } from 'node:buffer';
import { fileTypeFromBuffer } from 'file-type';
import { ExtractionFailure, type ExtractionHints, type ExtractionKind } from './extraction-types.ts';

const DOCX_MIME = 'application/vnd.openxmlformats-officedocument.wordprocessingml.document';
/** Formats tesseract's image reader (leptonica in WebAssembly) decodes. */
const OCR_IMAGE_MIMES = new Set(['image/png', 'image/jpeg', 'image/bmp', 'image/webp']);

export interface Sniffed {
  kind: ExtractionKind;
  mime: string;
}

/**
 * Picks the reader from the bytes, never from what the client claims: a binary signature decides
 * (file-type). Only bytes without one that are valid UTF-8 count as text, and then the name's
 * extension or the declared type chooses between the text formats.
 */
export async function sniff(bytes: Uint8Array, hints: ExtractionHints): Promise<Sniffed> {
  const detected = await fileTypeFromBuffer(bytes);
  if (detected) {
    if (detected.mime === 'application/pdf') return { kind: 'pdf', mime: detected.mime };
    if (detected.mime === DOCX_MIME) return { kind: 'docx', mime: detected.mime };
    if (OCR_IMAGE_MIMES.has(detected.mime)) return { kind: 'image', mime: detected.mime };
    // file-type reports XML-ish text (an HTML page starting with <?xml) as application/xml.
    if (detected.mime !== 'application/xml') {
      throw new ExtractionFailure('unsupported_type', `cannot read ${detected.mime}`);
    }
  }
  if (!isUtf8Text(bytes))
    throw new ExtractionFailure('unsupported_type', 'not a known file type nor UTF-8 text');
  return textKind(bytes, hints);
}

function textKind(bytes: Uint8Array, hints: ExtractionHints): Sniffed {
  const extension = hints.name?.toLowerCase().match(/\.([a-z0-9]+)$/)?.[1];
  const declared = hints.contentType?.toLowerCase().split(';')[0]?.trim();
  if (extension === 'html' || extension === 'htm' || declared === 'text/html' || looksLikeHtml(bytes)) {
    return { kind: 'html', mime: 'text/html' };
  }
  if (extension === 'md' || extension === 'markdown' || declared === 'text/markdown') {
    return { kind: 'markdown', mime: 'text/markdown' };
  }
  if (extension === 'csv' || declared === 'text/csv') return { kind: 'csv', mime: 'text/csv' };
  if (extension === 'json' || declared === 'application/json')
    return { kind: 'json', mime: 'application/json' };
  return { kind: 'text', mime: 'text/plain' };
}

function looksLikeHtml(bytes: Uint8Array): boolean {
  const head = new TextDecoder().decode(bytes.subarray(0, 1024)).trimStart().toLowerCase();
  return head.startsWith('<!doctype html') || head.startsWith('<html');
}

/** Valid UTF-8 with no NUL bytes (binary files almost always carry some). */
function isUtf8Text(bytes: Uint8Array): boolean {
  return !bytes.includes(0) && isUtf8(bytes);
}
