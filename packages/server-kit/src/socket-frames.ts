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

/**
 * The part of a `tracked` event's frame after the subscription's own id, made once per event and
 * shared by every subscriber it goes to: `{"id":<subscription>,"result":{"type":"data","id":` is all
 * that differs between two sockets. Keyed by the event's object, checked against its id.
 */
const trackedTails = new WeakMap<object, { eventId: string | number; tail: string }>();

function trackedTail(eventId: string | number, data: unknown): string {
  const key = typeof data === 'object' && data !== null ? data : undefined;
  const known = key && trackedTails.get(key);
  if (known && known.eventId === eventId) return known.tail;
  const id = JSON.stringify(eventId);
  const tail = `${id},"data":{"id":${id},"data":${JSON.stringify(data) ?? 'null'}}}}`;
  if (key) trackedTails.set(key, { eventId, tail });
  return tail;
}

/**
 * The frames of one subscription's events, as tRPC's adapter would write them. Without a data
 * transformer (docstore's wire is plain JSON), a `tracked` event's JSON is made once for every socket.
 */
export function eventFrames(
  router: AnyRouter,
  id: string | number,
  jsonrpc: '2.0' | undefined,
): (item: unknown) => string {
  const config = router._def._config;
  const plainJson = config.transformer === defaultTransformer;
  const head = `{"id":${JSON.stringify(id)},${jsonrpc ? '"jsonrpc":"2.0",' : ''}"result":{"type":"data","id":`;
  return (item) => {
    if (plainJson && isTrackedEnvelope(item)) return head + trackedTail(item[0], item[1]);
    const result = isTrackedEnvelope(item)
      ? { type: 'data' as const, id: item[0], data: { id: item[0], data: item[1] } }
      : { type: 'data' as const, data: item };
    return JSON.stringify(transformTRPCResponse(config, { id, jsonrpc, result }));
  };
}
