import { createHash, randomBytes } from 'node:crypto';

export const MiB = 1024 * 1024;

export function sha256(bytes: Uint8Array): string {
  return createHash('sha256').update(bytes).digest('hex');
}

/** Hashes a response body as it streams, without holding it. */
export async function sha256OfResponse(response: Response): Promise<{ sha256: string; size: number }> {
  const hash = createHash('sha256');
  let size = 0;
  if (response.body) {
    for await (const chunk of response.body) {
      hash.update(chunk);
      size += chunk.length;
    }
  }
  return { sha256: hash.digest('hex'), size };
}

/** Random bytes; a plain ArrayBuffer underneath (never shared), as `Blob` wants it. */
export function randomData(size: number): Buffer<ArrayBuffer> {
  return randomBytes(size) as Buffer<ArrayBuffer>;
}

/** A stream of `size` bytes in 1 MiB chunks: a body whose length the sender does not declare. */
export function streamOf(bytes: Uint8Array, chunkSize = MiB): ReadableStream<Uint8Array> {
  let offset = 0;
  return new ReadableStream({
    pull(controller) {
      if (offset >= bytes.length) {
        controller.close();
        return;
      }
      controller.enqueue(bytes.subarray(offset, offset + chunkSize));
      offset += chunkSize;
    },
  });
}

/** `chunks` chunks of 1 MiB, one every `intervalMs`: an upload that takes its time. */
export function slowStream(chunks: number, intervalMs: number): ReadableStream<Uint8Array> {
  let sent = 0;
  return new ReadableStream({
    async pull(controller) {
      if (sent === chunks) {
        controller.close();
        return;
      }
      await new Promise((resolve) => setTimeout(resolve, intervalMs));
      controller.enqueue(randomBytes(MiB));
      sent += 1;
    },
  });
}
