import type { z } from 'zod';
import { PUT_META_HEADER } from './blob/router.ts';
import { putObjectMetaSchema } from './blob/schemas.ts';
import { UPLOAD_META_HEADER } from './metadata/router.ts';
import { statusEventSchema, uploadMetaSchema } from './metadata/schemas.ts';

/**
 * What a procedure's tRPC definition cannot say about its wire format, for the API snapshot and the
 * reference (`pnpm api:snapshot`): binary inputs carry their metadata in a header, and subscriptions
 * validate their events inside the generator (tRPC has no `.output()` for them). The snapshot refuses
 * a binary procedure or a subscription missing here, so a new one cannot go undescribed.
 */
export interface BinaryInputAnnotation {
  /** The request header carrying the metadata as URI-encoded JSON. */
  header: string;
  schema: z.ZodType;
}

export interface SubscriptionAnnotation {
  /** The schema of each event. */
  event: z.ZodType;
  /** Events come as `tracked(id, event)`: each has an id a client sends back as `lastEventId` to resume. */
  tracked: boolean;
}

export interface RouterAnnotations {
  /** How a caller authenticates over HTTP and over WebSocket. */
  auth: string;
  /** Procedures that answer without credentials. */
  publicProcedures: readonly string[];
  binaryInputs: Readonly<Record<string, BinaryInputAnnotation>>;
  subscriptions: Readonly<Record<string, SubscriptionAnnotation>>;
}

export const METADATA_ANNOTATIONS: RouterAnnotations = {
  auth: 'a user access token (JWT): `Authorization: Bearer <token>` over HTTP, `connectionParams.token` over WebSocket',
  publicProcedures: ['health'],
  binaryInputs: { 'documents.upload': { header: UPLOAD_META_HEADER, schema: uploadMetaSchema } },
  subscriptions: { 'documents.onStatus': { event: statusEventSchema, tracked: true } },
};

export const BLOB_ANNOTATIONS: RouterAnnotations = {
  auth: 'the service credential (BLOB_SERVICE_TOKEN): `Authorization: Bearer <token>`; only the metadata service calls it',
  publicProcedures: ['health'],
  binaryInputs: { 'objects.put': { header: PUT_META_HEADER, schema: putObjectMetaSchema } },
  subscriptions: {},
};
