import { createMetadataClient, createStatusSocket, type MetadataClient } from '@docstore/contract/client';
import type { StatusEvent } from '@docstore/contract/schemas';

/** The typed client and one live status feed for a signed-in page. */
export interface Api {
  client: MetadataClient;
  /** Calls `listener` for every status event of the caller's documents until the returned function runs. */
  onStatus(listener: (event: StatusEvent) => void): () => void;
  close(): void;
}

/** The page talks to the origin that served it: the dev server forwards /trpc to the metadata service. */
export function connectApi(token: string, onAuthError: () => void): Api {
  const socket = createStatusSocket({ url: location.origin, token });
  const client = createMetadataClient({ url: location.origin, token, wsClient: socket });
  const listeners = new Set<(event: StatusEvent) => void>();
  // One subscription for the whole page; it resumes after its last event when the socket reconnects.
  const subscription = client.documents.onStatus.subscribe(
    {},
    {
      onData: ({ data }) => {
        for (const listener of listeners) listener(data);
      },
      onError: (error) => {
        if ((error.data as { appCode?: string } | undefined)?.appCode === 'UNAUTHORIZED') onAuthError();
      },
    },
  );
  return {
    client,
    onStatus(listener) {
      listeners.add(listener);
      return () => listeners.delete(listener);
    },
    close() {
      subscription.unsubscribe();
      socket.close();
    },
  };
}
