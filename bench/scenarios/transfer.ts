import { randomUUID } from 'node:crypto';
import { createReadStream, openAsBlob } from 'node:fs';
import {
  createBlobClient,
  createMetadataClient,
  fetchObject,
  type MetadataClient,
  putObject,
  streamingFetch,
  uploadDocument,
} from '@docstore/contract';
import { Client } from 'minio';
import { interleaved, MiB, peakRssGrowth, stats } from '../measure.ts';
import type { Result } from '../report.ts';
import { type BenchStack, benchToken } from '../stack.ts';

async function drain(response: Response): Promise<number> {
  let bytes = 0;
  if (!response.body) return bytes;
  for await (const chunk of response.body) bytes += chunk.length;
  return bytes;
}

async function timed(work: () => Promise<unknown>): Promise<number> {
  const started = performance.now();
  await work();
  return (performance.now() - started) / 1000;
}

/**
 * Waits (outside any timed window) until the document's processing ended: the worker reads every new
 * document back from S3 (hashing a direct upload, sniffing and extracting), and that must not run
 * during the next variant's measurement.
 */
async function processed(client: MetadataClient, id: string): Promise<void> {
  const deadline = Date.now() + 120_000;
  for (;;) {
    const status = (await client.documents.get.query({ id })).processing?.status;
    if (status === 'processed' || status === 'processing_failed') return;
    if (Date.now() > deadline) throw new Error(`document ${id} still ${status} after 120 s`);
    await new Promise((done) => setTimeout(done, 50));
  }
}

/**
 * Upload and download throughput of one file through each path, against the fastest way to move the
 * same bytes into and out of the same S3 server: one streaming request to a presigned URL.
 */
export async function transferScenario(stack: BenchStack, file: string, rounds: number): Promise<Result[]> {
  const blob = await openAsBlob(file);
  const size = blob.size;
  const mib = size / MiB;
  const s3Url = new URL(stack.s3.url);
  const s3 = new Client({
    endPoint: s3Url.hostname,
    port: Number(s3Url.port),
    useSSL: false,
    accessKey: stack.s3Keys.accessKey,
    secretKey: stack.s3Keys.secretKey,
    region: 'us-east-1',
    pathStyle: true,
  });
  const blobClient = createBlobClient({ url: stack.blob.url, token: stack.blobServiceToken });
  const metadata = createMetadataClient({ url: stack.metadata.url, token: await benchToken(stack) });
  const keys: string[] = [];
  const documents: string[] = [];
  const blobGrowth: number[] = [];
  const metadataGrowth: number[] = [];

  const uploadVariants = {
    floor: async () => {
      const key = `floor/${randomUUID()}`;
      const url = await s3.presignedPutObject(stack.bucket, key, 600);
      const seconds = await timed(async () => {
        const response = await streamingFetch(url, { method: 'PUT', body: blob });
        if (!response.ok) throw new Error(`presigned PUT answered ${response.status}`);
        await response.arrayBuffer();
      });
      keys.push(key);
      return mib / seconds;
    },
    sdk: async () => {
      const key = `sdk/${randomUUID()}`;
      const seconds = await timed(() => s3.putObject(stack.bucket, key, createReadStream(file), size));
      return mib / seconds;
    },
    blobPut: async () => {
      const meta = { userId: randomUUID(), documentId: randomUUID(), name: 'bench.bin', size };
      let key = '';
      const seconds = await timed(async () => {
        key = (await putObject(blobClient, meta, blob)).key;
      });
      keys.push(key);
      return mib / seconds;
    },
    proxied: async () => {
      let seconds = 0;
      const { growth } = await peakRssGrowth(
        [stack.blob.child.pid ?? 0, stack.metadata.child.pid ?? 0],
        async () => {
          seconds = await timed(async () => {
            documents.push((await uploadDocument(metadata, { name: 'bench.bin' }, blob)).id);
          });
        },
      );
      await processed(metadata, documents.at(-1) ?? '');
      blobGrowth.push(growth[0] ?? 0);
      metadataGrowth.push(growth[1] ?? 0);
      return mib / seconds;
    },
    direct: async () => {
      let id = '';
      const seconds = await timed(async () => {
        const { document, uploadUrl } = await metadata.documents.createUpload.mutate({
          name: 'bench.bin',
          size,
        });
        id = document.id;
        const response = await streamingFetch(uploadUrl, { method: 'PUT', body: blob });
        if (!response.ok) throw new Error(`direct PUT answered ${response.status}`);
        await response.arrayBuffer();
        const done = await metadata.documents.completeUpload.mutate({ id: document.id });
        if (done.status !== 'ready') throw new Error(`direct upload ended ${done.status}`);
      });
      await processed(metadata, id);
      return mib / seconds;
    },
  };
  // One unmeasured round first (JIT, connections, the bucket's first writes), then the rounds.
  await interleaved(1, uploadVariants);
  blobGrowth.length = 0;
  metadataGrowth.length = 0;
  const uploads = await interleaved(rounds, uploadVariants);

  const floorKey = keys[0] ?? '';
  const blobKey = keys.find((key) => !key.startsWith('floor/')) ?? '';
  const documentId = documents[0] ?? '';
  const downloadVariants = {
    floor: async () => {
      const url = await s3.presignedGetObject(stack.bucket, floorKey, 600);
      return mib / (await timed(async () => drain(await fetch(url))));
    },
    blobRoute: async () =>
      mib /
      (await timed(async () =>
        drain(await fetchObject({ url: stack.blob.url, token: stack.blobServiceToken }, blobKey)),
      )),
    downloadUrl: async () =>
      mib /
      (await timed(async () => {
        const { url } = await metadata.documents.downloadUrl.mutate({ id: documentId });
        return drain(await fetch(url));
      })),
  };
  await interleaved(1, downloadVariants);
  const downloads = await interleaved(rounds, downloadVariants);

  const throughput = (name: string, values: number[], floor: number[], target: number | null): Result => ({
    name,
    value: stats(values).median,
    spread: stats(values),
    unit: 'MiB/s',
    floor: stats(floor).median,
    floorSpread: stats(floor),
    target,
  });
  const growthRow = (name: string, bytes: number[]): Result => {
    const inMiB = stats(bytes.map((value) => value / MiB));
    return { name, value: inMiB.median, spread: inMiB, unit: 'MiB', floor: null, target: null };
  };
  return [
    throughput(`upload ${mib} MiB: presigned PUT (floor)`, uploads.floor, uploads.floor, null),
    throughput(`upload ${mib} MiB: minio SDK putObject (reference)`, uploads.sdk, uploads.floor, null),
    throughput(`upload ${mib} MiB: blob objects.put`, uploads.blobPut, uploads.floor, null),
    throughput(`upload ${mib} MiB: documents.upload (proxied)`, uploads.proxied, uploads.floor, 0.9),
    throughput(
      `upload ${mib} MiB: direct (createUpload, presigned PUT, completeUpload)`,
      uploads.direct,
      uploads.floor,
      0.97,
    ),
    growthRow(`upload ${mib} MiB proxied: blob service peak RSS growth`, blobGrowth),
    growthRow(`upload ${mib} MiB proxied: metadata service peak RSS growth`, metadataGrowth),
    throughput(`download ${mib} MiB: presigned GET (floor)`, downloads.floor, downloads.floor, null),
    throughput(`download ${mib} MiB: blob GET /objects route`, downloads.blobRoute, downloads.floor, null),
    throughput(
      `download ${mib} MiB: documents.downloadUrl + GET`,
      downloads.downloadUrl,
      downloads.floor,
      null,
    ),
  ];
}
