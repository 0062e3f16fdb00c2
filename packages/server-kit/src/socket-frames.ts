import { type AnyRouter, isTrackedEnvelope, transformTRPCResponse } from '@trpc/server';
import { defaultTransformer } from '@trpc/server/unstable-core-do-not-import';
import type { WebSocket } from 'ws';

/** `WebSocket.OPEN`, without importing ws's runtime here. */
export const OPEN = 1;
const RECONNECT_NOTICE = JSON.stringify({ id: null, method: 'reconnect' });

/** Tells every open socket to reconnect (tRPC's reconnect notification), before a restart. */
export function sendReconnectNotice(sockets: Iterable<WebSocket>): void {
  for (const socket of sockets) if (socket.readyState === OPEN) socket.send(RECONNECT_NOTICE);
}

/** How `send` must be told that a frame given as bytes is text: tRPC's clients parse text frames. */
export const TEXT_FRAME = { binary: false } as const;

/**
 * A `tracked` event's frames, encoded once per event and subscription id and shared by every socket
 * that gets the same bytes: `{"id":<subscription>,"result":{"type":"data","id":` is all that differs
 * between two sockets, and clients number their subscriptions alike (a typed client's first is 1).
 * One event to 1,000 sockets then makes one or a few buffers, not 1,000 strings for the GC to sweep
 * and 1,000 UTF-8 encodings. Keyed by the event's object, checked against its id.
 */
const trackedFrames = new WeakMap<
  object,
  { eventId: string | number; tail: string; byHead: Map<string, Buffer> }
>();

function trackedFrame(head: string, eventId: string | number, data: unknown): Buffer {
  const key = typeof data === 'object' && data !== null ? data : undefined;
  let known = key && trackedFrames.get(key);
  if (!known || known.eventId !== eventId) {
    const id = JSON.stringify(eventId);
    const tail = `${id},"data":{"id":${id},"data":${JSON.stringify(data) ?? 'null'}}}}`;
    known = { eventId, tail, byHead: new Map() };
    if (key) trackedFrames.set(key, known);
  }
  let frame = known.byHead.get(head);
  if (!frame) {
    frame = Buffer.from(head + known.tail);
    known.byHead.set(head, frame);
  }
  return frame;
}

/**
 * The frames of one subscription's events, as tRPC's adapter would write them, as UTF-8 bytes to
 * send with `TEXT_FRAME`. Without a data transformer (docstore's wire is plain JSON), a `tracked`
 * event's JSON is made once for every socket.
 */
export function eventFrames(
  router: AnyRouter,
  id: string | number,
  jsonrpc: '2.0' | undefined,
): (item: unknown) => Buffer {
  const config = router._def._config;
  const plainJson = config.transformer === defaultTransformer;
  const head = `{"id":${JSON.stringify(id)},${jsonrpc ? '"jsonrpc":"2.0",' : ''}"result":{"type":"data","id":`;
  return (item) => {
    if (plainJson && isTrackedEnvelope(item)) return trackedFrame(head, item[0], item[1]);
    const result = isTrackedEnvelope(item)
      ? { type: 'data' as const, id: item[0], data: { id: item[0], data: item[1] } }
      : { type: 'data' as const, data: item };
    return Buffer.from(JSON.stringify(transformTRPCResponse(config, { id, jsonrpc, result })));
  };
}
