import { openAsBlob } from 'node:fs';
import { createMetadataClient, uploadDocument } from '@docstore/contract';
import { MiB, peakRssGrowth } from '../measure.ts';
import type { Result } from '../report.ts';
import { benchToken, startBenchStack } from '../stack.ts';

/**
 * Peak RSS growth of the blob and metadata services while one large file goes through the proxied
 * path into an S3 server slowed to `bytesPerSecond`: bounded memory means the services pass the
 * slowness back to the client instead of buffering.
 */
export async function slowS3MemoryScenario(file: string, bytesPerSecond: number): Promise<Result[]> {
  const stack = await startBenchStack({ maxUploadBytes: 8 * 1024 * MiB, s3BytesPerSecond: bytesPerSecond });
  try {
    const blob = await openAsBlob(file);
    const client = createMetadataClient({ url: stack.metadata.url, token: await benchToken(stack) });
    const started = performance.now();
    const { growth } = await peakRssGrowth([stack.blob.child.pid ?? 0, stack.metadata.child.pid ?? 0], () =>
      uploadDocument(client, { name: 'slow.bin' }, blob),
    );
    const seconds = (performance.now() - started) / 1000;
    const label = `${blob.size / MiB} MiB proxied into S3 slowed to ${bytesPerSecond / MiB} MiB/s`;
    const memory = (who: string, bytes: number): Result => ({
      name: `${label}: ${who} peak RSS growth`,
      value: bytes / MiB,
      unit: 'MiB',
      floor: null,
      target: null,
      limit: 64,
    });
    return [
      memory('blob service', growth[0] ?? 0),
      memory('metadata service', growth[1] ?? 0),
      {
        name: `${label}: throughput`,
        value: blob.size / MiB / seconds,
        unit: 'MiB/s',
        floor: null,
        target: null,
      },
    ];
  } finally {
    await stack.stop();
  }
}
