import type { Readable } from 'node:stream';
import type { BlobApi } from '@docstore/contract';
import { Counter, Gauge, type Registry } from '@docstore/server-kit';

/** What the blob service measures beyond every service's procedure series. */
export interface BlobMetrics {
  /** The API with its uploads counted: bytes stored and uploads in flight. */
  meter(api: BlobApi): BlobApi;
  /** Counts the bytes of an object as they leave through the download route. */
  countDownload(body: Readable): void;
}

export function createBlobMetrics(registry: Registry): BlobMetrics {
  const uploaded = new Counter({
    name: 'docstore_blob_uploaded_bytes_total',
    help: 'Bytes of uploads the blob service stored in the bucket (completed puts only)',
    registers: [registry],
  });
  const downloaded = new Counter({
    name: 'docstore_blob_downloaded_bytes_total',
    help: 'Bytes the blob service streamed out of the bucket to its callers',
    registers: [registry],
  });
  const inFlight = new Gauge({
    name: 'docstore_blob_uploads_in_flight',
    help: 'Uploads streaming through the blob service into the bucket right now',
    registers: [registry],
  });
  const completed = new Counter({
    name: 'docstore_blob_uploads_total',
    help: 'Uploads that ended in the blob service, by outcome (stored or failed)',
    labelNames: ['outcome'] as const,
    registers: [registry],
  });
  return {
    meter(api) {
      return {
        ...api,
        async put(meta, body, signal) {
          inFlight.inc();
          try {
            const stored = await api.put(meta, body, signal);
            uploaded.inc(stored.size);
            completed.inc({ outcome: 'stored' });
            return stored;
          } catch (error) {
            completed.inc({ outcome: 'failed' });
            throw error;
          } finally {
            inFlight.dec();
          }
        },
      };
    },
    countDownload(body) {
      body.on('data', (chunk: Buffer) => downloaded.inc(chunk.length));
    },
  };
}
