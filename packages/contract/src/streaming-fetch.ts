/**
 * A `Blob` that stands for a stream. tRPC's client sends Blob inputs as the raw request body, so a
 * stream wrapped in this reaches `streamingFetch`, which sends the stream itself: nothing is buffered.
 */
export class StreamBody extends Blob {
  constructor(
    readonly source: ReadableStream<Uint8Array>,
    /** Byte length when known: sent as Content-Length instead of chunked encoding. */
    readonly length?: number,
  ) {
    super([]);
  }
}

/**
 * `fetch` for every docstore client. `redirect: 'error'` works around undici keeping every chunk of a
 * streamed body until the request ends (nodejs/undici#4058), and `StreamBody` is unwrapped.
 */
export const streamingFetch = (input: string | URL | Request, init?: RequestInit): Promise<Response> => {
  let body = init?.body;
  const headers = new Headers(init?.headers);
  if (body instanceof StreamBody) {
    if (body.length !== undefined) headers.set('content-length', String(body.length));
    body = body.source;
  }
  // `duplex` is required by undici for stream bodies and missing from the DOM RequestInit type.
  const streamingInit: RequestInit & { duplex: 'half' } = {
    ...init,
    body,
    headers,
    redirect: 'error',
    duplex: 'half',
  };
  return fetch(input, streamingInit);
};
