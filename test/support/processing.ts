import type { DocumentView, MetadataClient } from '@docstore/contract';

/** Polls a document until its processing has ended (processed or failed), within `timeoutMs`. */
export async function processed(
  client: MetadataClient,
  id: string,
  timeoutMs = 60_000,
): Promise<DocumentView> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const document = await client.documents.get.query({ id });
    const status = document.processing?.status;
    if (status === 'processed' || status === 'processing_failed') return document;
    if (Date.now() > deadline) throw new Error(`document ${id} still ${status} after ${timeoutMs} ms`);
    await new Promise((resolve) => setTimeout(resolve, 150));
  }
}
