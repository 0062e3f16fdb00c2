import { octetInputParser } from '@trpc/server/http';
import type { z } from 'zod';
import { DocstoreError } from '../errors.ts';
import { decodeHeaderJson } from '../header-json.ts';
import { initDocstoreTRPC, type ProcedureObserver } from '../trpc.ts';
import {
  type BlobHealth,
  blobHealthSchema,
  type DeleteObjectResult,
  deleteObjectResultSchema,
  listObjectsInputSchema,
  type ObjectPage,
  type ObjectRef,
  objectPageSchema,
  objectRefSchema,
  type PresignedPut,
  type PresignedUrl,
  type PresignGetInput,
  type PresignPutInput,
  type PutObjectMeta,
  presignedPutSchema,
  presignedUrlSchema,
  presignGetInputSchema,
  presignPutInputSchema,
  putObjectMetaSchema,
  type ReserveKeyInput,
  reserveKeyInputSchema,
  type StoredObject,
  storedObjectSchema,
} from './schemas.ts';

/** The header that carries a put's metadata (JSON, URI-encoded), since the body is the object itself. */
export const PUT_META_HEADER = 'x-docstore-object';

/** Plain HTTP route for streaming an object out: `GET {BLOB_OBJECTS_PATH}{key}`. */
export const BLOB_OBJECTS_PATH = '/objects/';

/** What the blob service implements; the router only parses and delegates. */
export interface BlobApi {
  /**
   * Makes a new object key (`{userId}/{documentId}/{uuid}{ext}`) without writing anything, so the
   * caller can record it before any byte moves; `put`/`presignPut` then take it as `key`.
   */
  reserveKey(input: ReserveKeyInput): Promise<ObjectRef>;
  /** Streams `body` into a new object under a server-generated key (or one `reserveKey` made). */
  put(meta: PutObjectMeta, body: ReadableStream<Uint8Array>, signal: AbortSignal): Promise<StoredObject>;
  stat(ref: ObjectRef): Promise<StoredObject>;
  /** Idempotent: deleting a missing object answers `existed: false`. */
  delete(ref: ObjectRef): Promise<DeleteObjectResult>;
  presignGet(input: z.output<typeof presignGetInputSchema>): Promise<PresignedUrl>;
  presignPut(input: z.output<typeof presignPutInputSchema>): Promise<PresignedPut>;
  /** One page of the bucket's objects, in key order. */
  list(input: z.output<typeof listObjectsInputSchema>): Promise<ObjectPage>;
  /** Never throws: an unreachable bucket is `ok: false`. */
  health(): Promise<BlobHealth>;
}

export interface BlobContext {
  blob: BlobApi;
  headers: Headers;
  signal: AbortSignal;
  /** Whether the call carried the service credential (BLOB_SERVICE_TOKEN). */
  authorized: boolean;
  /** Sees every finished call (the service's metrics). */
  observeProcedure?: ProcedureObserver;
}

const { router, procedure } = initDocstoreTRPC<BlobContext>();

/** Every object operation needs the service credential; only `health` answers anyone. */
const serviceProcedure = procedure.use(({ ctx, next }) => {
  if (!ctx.authorized) throw new DocstoreError('UNAUTHORIZED', 'the blob service answers only its callers');
  return next();
});

export const blobRouter = router({
  objects: router({
    put: serviceProcedure
      .input(octetInputParser)
      .output(storedObjectSchema)
      .mutation(({ ctx, input }) =>
        ctx.blob.put(decodeHeaderJson(ctx.headers, PUT_META_HEADER, putObjectMetaSchema), input, ctx.signal),
      ),
    reserveKey: serviceProcedure
      .input(reserveKeyInputSchema)
      .output(objectRefSchema)
      .mutation(({ ctx, input }) => ctx.blob.reserveKey(input)),
    stat: serviceProcedure
      .input(objectRefSchema)
      .output(storedObjectSchema)
      .query(({ ctx, input }) => ctx.blob.stat(input)),
    delete: serviceProcedure
      .input(objectRefSchema)
      .output(deleteObjectResultSchema)
      .mutation(({ ctx, input }) => ctx.blob.delete(input)),
    presignGet: serviceProcedure
      .input(presignGetInputSchema)
      .output(presignedUrlSchema)
      .mutation(({ ctx, input }) => ctx.blob.presignGet(input)),
    presignPut: serviceProcedure
      .input(presignPutInputSchema)
      .output(presignedPutSchema)
      .mutation(({ ctx, input }) => ctx.blob.presignPut(input)),
    list: serviceProcedure
      .input(listObjectsInputSchema)
      .output(objectPageSchema)
      .query(({ ctx, input }) => ctx.blob.list(input)),
  }),
  health: procedure.output(blobHealthSchema).query(({ ctx }) => ctx.blob.health()),
});

export type BlobRouter = typeof blobRouter;
export type { PresignGetInput, PresignPutInput };
