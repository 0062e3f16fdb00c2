import { DocstoreError } from '@docstore/contract';
import { BYTE_BUFFER } from './byte-buffer.ts';

const MiB = 1024 * 1024;

export interface ProgressTapOptions {
  maxBytes: number;
  /** The size the client declared: a body longer or shorter is INVALID_INPUT (a 4xx, nothing kept). */
  declaredSize?: number;
  /**
   * Sees every chunk that passes, in order (the upload hashes them here: each web-stream stage costs
   * a hop of its own, and the proxied upload's throughput is bound by them, issue 12).
   */
  onChunk?(chunk: Uint8Array): void;
  /** Called at most once per `everyBytes` AND `everyMs`, whichever comes later. */
  onProgress(receivedBytes: number): void;
  everyBytes?: number;
  everyMs?: number;
}

/**
 * Counts bytes as they pass: reports progress, and fails the stream with PAYLOAD_TOO_LARGE the
 * moment the count passes `maxBytes`.
 */
export function progressTap(options: ProgressTapOptions): {
  stream: TransformStream<Uint8Array, Uint8Array>;
  readonly received: number;
  /** The error the tap itself raised, if any (the body's error, as opposed to the consumer's). */
  readonly error: DocstoreError | undefined;
} {
  const everyBytes = options.everyBytes ?? MiB;
  const everyMs = options.everyMs ?? 250;
  let received = 0;
  let reportedBytes = 0;
  let reportedAt = Date.now();
  let error: DocstoreError | undefined;
  const stream = new TransformStream<Uint8Array, Uint8Array>(
    {
      transform(chunk, controller) {
        received += chunk.byteLength;
        if (received > options.maxBytes) {
          error = new DocstoreError(
            'PAYLOAD_TOO_LARGE',
            `body is larger than the limit of ${options.maxBytes} bytes`,
          );
          controller.error(error);
          return;
        }
        if (options.declaredSize !== undefined && received > options.declaredSize) {
          error = new DocstoreError(
            'INVALID_INPUT',
            `body is longer than its declared size of ${options.declaredSize} bytes`,
          );
          controller.error(error);
          return;
        }
        options.onChunk?.(chunk);
        const now = Date.now();
        if (received - reportedBytes >= everyBytes && now - reportedAt >= everyMs) {
          reportedBytes = received;
          reportedAt = now;
          options.onProgress(received);
        }
        controller.enqueue(chunk);
      },
      flush(controller) {
        if (options.declaredSize !== undefined && received !== options.declaredSize) {
          error = new DocstoreError(
            'INVALID_INPUT',
            `body has ${received} bytes, declared ${options.declaredSize}`,
          );
          controller.error(error);
        }
      },
    },
    BYTE_BUFFER,
    BYTE_BUFFER,
  );
  return {
    stream,
    get received() {
      return received;
    },
    get error() {
      return error;
    },
  };
}
