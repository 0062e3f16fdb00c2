import mammoth from 'mammoth';
import { ExtractionFailure } from '../extraction-types.ts';
import type { TextCollector } from '../text-collector.ts';
import { checkZipBudget } from './zip-guard.ts';

/** DOCX through mammoth's raw-text reader, after the zip's declared sizes passed the budget. */
export async function extractDocx(
  bytes: Uint8Array,
  out: TextCollector,
  maxUnzippedBytes: number,
): Promise<void> {
  checkZipBudget(bytes, maxUnzippedBytes);
  let result: { value: string };
  try {
    result = await mammoth.extractRawText({
      buffer: Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength),
    });
  } catch (error) {
    throw new ExtractionFailure('corrupt', `DOCX not readable: ${messageOf(error)}`);
  }
  out.add(result.value.replace(/\n{3,}/g, '\n\n').trim());
}

function messageOf(error: unknown): string {
  return (error instanceof Error ? error.message : String(error)).slice(0, 200);
}
