import { ExtractionFailure } from '../extraction-types.ts';

const EOCD_SIGNATURE = 0x06054b50;
const CENTRAL_SIGNATURE = 0x02014b50;
const MAX_ENTRIES = 10_000;

/**
 * Refuses a zip (a DOCX) whose central directory declares more than `maxUnzippedBytes` in total,
 * too many entries, or Zip64 sizes, before any byte is inflated: the classic zip bomb stops here.
 * A zip that lies about its sizes is stopped by the worker's heap limit instead.
 */
export function checkZipBudget(bytes: Uint8Array, maxUnzippedBytes: number): void {
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  const eocd = findEndOfCentralDirectory(view);
  if (eocd < 0) throw new ExtractionFailure('corrupt', 'zip end of central directory not found');
  const entries = view.getUint16(eocd + 10, true);
  const directoryOffset = view.getUint32(eocd + 16, true);
  if (entries === 0xffff || directoryOffset === 0xffffffff) {
    throw new ExtractionFailure('archive_too_large', 'Zip64 archives are not read');
  }
  if (entries > MAX_ENTRIES) throw new ExtractionFailure('archive_too_large', `zip holds ${entries} entries`);
  let offset = directoryOffset;
  let total = 0;
  for (let i = 0; i < entries; i++) {
    if (offset + 46 > view.byteLength || view.getUint32(offset, true) !== CENTRAL_SIGNATURE) {
      throw new ExtractionFailure('corrupt', 'zip central directory is damaged');
    }
    const uncompressed = view.getUint32(offset + 24, true);
    if (uncompressed === 0xffffffff) throw new ExtractionFailure('archive_too_large', 'Zip64 entry');
    total += uncompressed;
    if (total > maxUnzippedBytes) {
      throw new ExtractionFailure('archive_too_large', `zip unpacks to more than ${maxUnzippedBytes} bytes`);
    }
    offset +=
      46 +
      view.getUint16(offset + 28, true) +
      view.getUint16(offset + 30, true) +
      view.getUint16(offset + 32, true);
  }
}

function findEndOfCentralDirectory(view: DataView): number {
  // The record is 22 bytes plus a comment of at most 65,535 bytes, at the very end.
  const lowest = Math.max(0, view.byteLength - 22 - 0xffff);
  for (let offset = view.byteLength - 22; offset >= lowest; offset--) {
    if (view.getUint32(offset, true) === EOCD_SIGNATURE) return offset;
  }
  return -1;
}
