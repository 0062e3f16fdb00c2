/**
 * How much a byte-stream stage may hold before it pushes back. A stage of one chunk (the web-streams
 * default) makes every hop wait for the next: with several hops, throughput became latency-bound.
 */
export const BYTE_BUFFER: QueuingStrategy<Uint8Array> = {
  highWaterMark: 1024 * 1024,
  size: (chunk) => chunk.byteLength,
};
