import { Readable } from 'node:stream';

export interface StreamHead {
  chunks: Buffer[];
  size: number;
  /** True when the stream ended within the limit: `chunks` are all of it. */
  ended: boolean;
}

/**
 * Reads from `stream` until `limit` bytes or its end, leaving the rest unread. This tells a body of
 * unknown length that fits one request from one that needs a multipart upload.
 */
export function readHead(stream: Readable, limit: number): Promise<StreamHead> {
  const chunks: Buffer[] = [];
  let size = 0;
  return new Promise((resolve, reject) => {
    const cleanup = () => {
      stream.off('readable', onReadable);
      stream.off('end', onEnd);
      stream.off('error', onError);
    };
    const finish = (ended: boolean) => {
      cleanup();
      resolve({ chunks, size, ended });
    };
    function onReadable() {
      while (size < limit) {
        const chunk = stream.read() as Buffer | null;
        if (chunk === null) break;
        chunks.push(chunk);
        size += chunk.length;
      }
      if (size >= limit) finish(false);
    }
    function onEnd() {
      finish(true);
    }
    function onError(error: unknown) {
      cleanup();
      reject(error);
    }
    stream.on('readable', onReadable);
    stream.once('end', onEnd);
    stream.once('error', onError);
  });
}

/** The whole stream again: the chunks already read, then the rest. */
export function replayHead(head: StreamHead, rest: Readable): Readable {
  return Readable.from(
    (async function* () {
      yield* head.chunks;
      yield* rest;
    })(),
  );
}
