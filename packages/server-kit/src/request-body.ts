import type { IncomingMessage } from 'node:http';
import { TRPCError } from '@trpc/server';

/** How much of an abandoned body is read and dropped so the client can still read our answer. */
const MAX_DISCARD_BYTES = 16 * 1024 * 1024;
const HIGH_WATER_MARK = 1024 * 1024;

/**
 * The request body as a web stream, with backpressure: the socket is paused while the consumer does
 * not pull. Node 20's `Readable.toWeb` crashes the process when a consumer cancels mid-body (it keeps
 * enqueueing into the closed controller), which is exactly what a rejected upload does.
 *
 * On cancel, or when the handler answered without reading it all, the rest of the body is read and
 * dropped, up to 16 MiB, so that the client gets the answer instead of a connection reset; past that
 * the socket is closed.
 */
export function requestBodyStream(req: IncomingMessage): {
  stream: ReadableStream<Uint8Array>;
  /** Drops what is left of the body (see above); a no-op once the body ended or was dropped. */
  discard(): void;
} {
  let done = false;
  const discard = () => {
    if (done) return;
    done = true;
    req.removeAllListeners('data');
    let discarded = 0;
    req.on('data', (chunk: Buffer) => {
      discarded += chunk.length;
      if (discarded > MAX_DISCARD_BYTES) req.socket.destroy();
    });
    req.resume();
  };
  const stream = new ReadableStream<Uint8Array>(
    {
      start(controller) {
        req.on('data', (chunk: Buffer) => {
          if (done) return;
          controller.enqueue(new Uint8Array(chunk.buffer, chunk.byteOffset, chunk.byteLength));
          if ((controller.desiredSize ?? 0) <= 0) req.pause();
        });
        req.once('end', () => {
          if (done) return;
          done = true;
          controller.close();
        });
        // A body cut short or malformed (a bad chunk size) is the client's failure: a 4xx, logged
        // without a stack, never an internal error.
        let parseError: Error | undefined;
        req.on('error', (error) => {
          parseError = error;
        });
        req.once('close', () => {
          if (done) return;
          done = true;
          controller.error(
            new TRPCError({
              code: 'BAD_REQUEST',
              message: parseError
                ? 'the request body is malformed'
                : 'the client closed the connection before the body ended',
              cause: parseError,
            }),
          );
        });
        req.pause();
      },
      pull() {
        req.resume();
      },
      cancel: discard,
    },
    { highWaterMark: HIGH_WATER_MARK, size: (chunk) => chunk.byteLength },
  );
  return { stream, discard };
}
