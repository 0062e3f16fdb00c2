import { Transform } from 'node:stream';
import { DocstoreError } from '@docstore/contract';

/**
 * Passes bytes through while counting them. Fails the stream as soon as the count passes `max`
 * (PAYLOAD_TOO_LARGE), or when a declared size is not what arrived (INVALID_INPUT).
 */
export function createByteLimit(
  max: number,
  declaredSize?: number,
  highWaterMark?: number,
): Transform & { readonly count: number } {
  let count = 0;
  const limit = new Transform({
    highWaterMark,
    transform(chunk: Buffer, _encoding, callback) {
      count += chunk.length;
      if (count > max) {
        callback(new DocstoreError('PAYLOAD_TOO_LARGE', `body is larger than the limit of ${max} bytes`));
      } else if (declaredSize !== undefined && count > declaredSize) {
        callback(
          new DocstoreError('INVALID_INPUT', `body is longer than its declared size of ${declaredSize}`),
        );
      } else {
        callback(null, chunk);
      }
    },
    flush(callback) {
      if (declaredSize !== undefined && count !== declaredSize) {
        callback(new DocstoreError('INVALID_INPUT', `body has ${count} bytes, declared ${declaredSize}`));
      } else {
        callback();
      }
    },
  });
  return Object.defineProperty(limit, 'count', { get: () => count }) as Transform & {
    readonly count: number;
  };
}
