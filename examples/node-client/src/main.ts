/**
 * A docstore client outside the workspace: it knows docstore only through the published
 * `@docstore/contract` package. It uploads a file, follows its status live over WebSocket, finds it
 * in the listing, downloads it and checks the bytes; then prints a JSON summary.
 *
 *   DOCSTORE_URL=http://127.0.0.1:4000 DOCSTORE_TOKEN=… node src/main.ts
 */
import {
  CONTRACT_VERSION,
  type ContractMismatch,
  createMetadataClient,
  createStatusSocket,
  type DocumentPage,
  type DocumentView,
  type StatusEvent,
  toDocstoreError,
  uploadDocument,
} from '@docstore/contract';

const url = process.env.DOCSTORE_URL;
const token = process.env.DOCSTORE_TOKEN;
if (!url || !token) {
  console.error('set DOCSTORE_URL (the metadata service) and DOCSTORE_TOKEN (an access token)');
  process.exit(2);
}

const TOPIC = 'examples';
const mismatches: ContractMismatch[] = [];
// Node 24 has a WebSocket of its own: no `ws` package needed.
const socket = createStatusSocket({ url, token });
const client = createMetadataClient({
  url,
  token,
  wsClient: socket,
  onContractMismatch: (mismatch) => mismatches.push(mismatch),
});

/**
 * The caller's live status events. Subscribe before uploading: a small file's events (pending →
 * stored → ready) can all arrive before the upload call returns the document's id.
 */
function followStatus() {
  const seen: StatusEvent[] = [];
  let wake = () => {};
  let failure: unknown;
  let markStarted = () => {};
  const started = new Promise<void>((resolve) => (markStarted = resolve));
  const subscription = client.documents.onStatus.subscribe(
    {},
    {
      onStarted: () => markStarted(),
      onData: ({ data: event }) => {
        seen.push(event);
        wake();
      },
      onError: (error) => {
        failure = error;
        wake();
      },
    },
  );
  /** The document's events, once it is ready or failed. */
  async function until(documentId: string): Promise<StatusEvent[]> {
    const events = () => seen.filter((event) => event.documentId === documentId);
    while (!events().some((event) => event.status === 'ready' || event.status === 'failed')) {
      if (failure) throw failure;
      await new Promise<void>((resolve) => (wake = resolve));
    }
    subscription.unsubscribe();
    return events();
  }
  return { started, until };
}

async function main(): Promise<void> {
  const name = `example-${Date.now()}.txt`;
  const bytes = new TextEncoder().encode(`hello docstore from a plain Node project (${name})\n`);
  // Topics exist before documents carry them.
  const topics = await client.topics.list.query();
  if (!topics.some((topic) => topic.name === TOPIC)) await client.topics.create.mutate({ name: TOPIC });

  const status = followStatus();
  await status.started;

  const document: DocumentView = await uploadDocument(
    client,
    { name, mimeType: 'text/plain', topics: [TOPIC] },
    new Blob([bytes]),
  );
  const events = await status.until(document.id);

  const page: DocumentPage = await client.documents.list.query({ topic: TOPIC, limit: 50 });
  const listed = page.items.some((item) => item.id === document.id);

  const { url: downloadUrl } = await client.documents.downloadUrl.mutate({ id: document.id });
  const downloaded = new Uint8Array(await (await fetch(downloadUrl)).arrayBuffer());
  const sameBytes = Buffer.from(downloaded).equals(Buffer.from(bytes));

  console.log(
    JSON.stringify({
      contract: CONTRACT_VERSION,
      mismatches,
      id: document.id,
      status: document.status,
      statuses: events.map((event) => event.status),
      listed,
      sameBytes,
    }),
  );
  if (!listed || !sameBytes || document.status !== 'ready') process.exitCode = 1;
}

try {
  await main();
} catch (error) {
  // Errors keep their docstore code (NOT_FOUND, UNAUTHORIZED…) across the wire.
  const docstoreError = toDocstoreError(error, 'docstore');
  console.error(`${docstoreError.code}: ${docstoreError.message}`);
  process.exitCode = 1;
} finally {
  socket.close();
}
