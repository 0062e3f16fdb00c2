import { createMetadataClient, createStatusSocket, type StatusEvent } from '@docstore/contract';
import { WebSocket } from 'ws';

/** How long an upload waits for the subscription to start before going ahead without live status. */
const START_TIMEOUT_MS = 5_000;

/** A live subscription to all of the caller's status events. */
export interface StatusFeed {
  /** False when the subscription never started (e.g. WebSockets blocked): uploads still work. */
  readonly live: boolean;
  close(): Promise<void>;
}

/**
 * Subscribes to every status event of the caller and resolves once the server has started the
 * subscription: from then on no event of a new upload can be missed. If it does not start (an error,
 * or no answer within 5 s), resolves anyway with `live: false`; the upload's own result is what
 * counts, live status only drives the progress bar.
 */
export async function openStatusFeed(
  url: string,
  token: string | undefined,
  onEvent: (event: StatusEvent) => void,
): Promise<StatusFeed> {
  const socket = createStatusSocket({
    url,
    // Node 20 has no WebSocket; the contract types the option as the DOM's class, which `ws` mirrors.
    WebSocket: WebSocket as unknown as typeof globalThis.WebSocket,
    token,
  });
  const client = createMetadataClient({ url, token, wsClient: socket });
  let subscription: { unsubscribe(): void } | undefined;
  const live = await new Promise<boolean>((resolve) => {
    const timer = setTimeout(() => resolve(false), START_TIMEOUT_MS);
    const settle = (value: boolean) => {
      clearTimeout(timer);
      resolve(value);
    };
    subscription = client.documents.onStatus.subscribe(
      {},
      {
        onStarted: () => settle(true),
        onData: (envelope) => onEvent(envelope.data),
        onError: () => settle(false),
        onConnectionStateChange: (state) => {
          if (state.state === 'connecting' && state.error) settle(false);
        },
      },
    );
  });
  return {
    live,
    async close() {
      subscription?.unsubscribe();
      await socket.close();
    },
  };
}
