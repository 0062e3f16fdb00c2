import { createHash } from 'node:crypto';
import { BYTE_BUFFER } from './byte-buffer.ts';

/** A pass-through that hashes what flows by: the SHA-256 is known the moment the last byte passed. */
export function sha256Tap(): { stream: TransformStream<Uint8Array, Uint8Array>; digest(): string } {
  const hash = createHash('sha256');
  let digest: string | undefined;
  return {
    stream: new TransformStream(
      {
        transform(chunk, controller) {
          hash.update(chunk);
          controller.enqueue(chunk);
        },
      },
      BYTE_BUFFER,
      BYTE_BUFFER,
    ),
    digest: () => {
      digest ??= hash.digest('hex');
      return digest;
    },
  };
}
