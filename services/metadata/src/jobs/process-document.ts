import { DocstoreError } from '@docstore/contract';
import type { Logger } from '@docstore/server-kit';
import { z } from 'zod';
import type { BlobGateway } from '../adapters/blob-gateway.ts';
import type { TaskHandler } from '../adapters/job-queue.ts';
import { ExtractionError, extractDocument } from '../processing/extract.ts';
import { DEFAULT_EXTRACTION_LIMITS, type ExtractionLimits } from '../processing/extraction-types.ts';
import { compileRule } from '../processing/rule-matching.ts';
import type { Store } from '../store/store.ts';

const payloadSchema = z.object({
  documentId: z.uuid(),
  userId: z.uuid(),
  version: z.number().int().nonnegative(),
  reason: z.enum(['ready', 'reprocess']),
});

export interface ProcessDocumentDeps {
  blob: BlobGateway;
  store: () => Store;
  logger: Logger;
  limits?: Partial<ExtractionLimits>;
  /** Deadline of reading the object from the bucket. */
  readTimeoutMs?: number;
}

/** Reads a whole object through a presigned GET (made by the blob service), within a deadline and a size cap. */
async function readObject(
  blob: BlobGateway,
  key: string,
  name: string,
  maxBytes: number,
  timeoutMs: number,
): Promise<Uint8Array> {
  const { url } = await blob.presignGet(key, name, 300);
  let response: Response;
  try {
    response = await fetch(url, { signal: AbortSignal.timeout(timeoutMs) });
  } catch (error) {
    throw new DocstoreError('SERVICE_UNAVAILABLE', 'object storage is unreachable', { cause: error });
  }
  if (!response.ok || !response.body) {
    throw new DocstoreError('SERVICE_UNAVAILABLE', `object storage answered ${response.status}`);
  }
  const chunks: Uint8Array[] = [];
  let total = 0;
  for await (const chunk of response.body) {
    total += chunk.byteLength;
    // More bytes than the row says: stop reading; extraction refuses it as too large.
    if (total > maxBytes) break;
    chunks.push(chunk);
  }
  return Buffer.concat(chunks);
}

/**
 * `process_document`: reads a ready document's bytes, extracts its text (off the main thread),
 * matches the user's topic rules and stores it all in one transaction with the `processed` event.
 * An extraction failure fails that document's processing for good (no retry: the same bytes fail
 * the same way); an outage of S3 or PostgreSQL throws so the queue retries with backoff. Every write
 * is guarded by the job's version: after a crash the job runs again from the start, and a job that
 * finds its document already processed (or reprocessed since) does nothing.
 */
export function processDocumentTask(deps: ProcessDocumentDeps): TaskHandler {
  const limits: ExtractionLimits = { ...DEFAULT_EXTRACTION_LIMITS, ...deps.limits };
  return async (raw) => {
    const payload = payloadSchema.parse(raw);
    const store = deps.store();
    const target = await store.processing.begin(payload.documentId, payload.version);
    if (!target) return;
    if (target.size > limits.maxInputBytes) {
      await store.processing.fail(target, payload.version, 'too_large', null);
      return;
    }
    const bytes = await readObject(
      deps.blob,
      target.objectKey,
      target.name,
      limits.maxInputBytes + 1,
      deps.readTimeoutMs ?? 120_000,
    );
    let extraction: Awaited<ReturnType<typeof extractDocument>>;
    try {
      extraction = await extractDocument(bytes, { name: target.name, contentType: target.mimeType }, limits);
    } catch (error) {
      if (!(error instanceof ExtractionError)) throw error;
      deps.logger.info('processing failed', { documentId: target.id, reason: error.reason });
      await store.processing.fail(target, payload.version, error.reason, error.sha256);
      return;
    }
    const rules = await store.processing.ruleTopics(target.userId);
    const haystack = `${target.name}\n${extraction.text}`;
    const matched = rules.filter((topic) => compileRule(topic.rule)(haystack)).map((topic) => topic.id);
    await store.processing.complete(target, payload.version, {
      text: extraction.text,
      pages: extraction.pages ?? null,
      language: extraction.language ?? null,
      truncated: extraction.truncated,
      ocrPages: extraction.ocrPages,
      sha256: extraction.sha256,
      matchedTopicIds: matched,
    });
  };
}
