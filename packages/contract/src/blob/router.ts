import { octetInputParser } from '@trpc/server/http';
import type { z } from 'zod';
import { DocstoreError } from '../errors.ts';
import { initDocstoreTRPC } from '../trpc.ts';
import {
  type BlobHealth,
  blobHealthSchema,
  type DeleteObjectResult,
  deleteObjectResultSchema,
  type ObjectRef,
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
  type StoredObject,
  storedObjectSchema,
} from './schemas.ts';

/** The header that carries a put's metadata (JSON, URI-encoded), since the body is the object itself. */
export const PUT_META_HEADER = 'x-docstore-object';

/** Plain HTTP route for streaming an object out: `GET {BLOB_OBJECTS_PATH}{key}`. */
export const BLOB_OBJECTS_PATH = '/objects/';

/** What the blob service implements; the router only parses and delegates. */
export interface BlobApi {
  /** Streams `body` into a new object under a server-generated key. */
  put(meta: PutObjectMeta, body: ReadableStream<Uint8Array>, signal: AbortSignal): Promise<StoredObject>;
  stat(ref: ObjectRef): Promise<StoredObject>;
  /** Idempotent: deleting a missing object answers `existed: false`. */
  delete(ref: ObjectRef): Promise<DeleteObjectResult>;
  presignGet(input: z.output<typeof presignGetInputSchema>): Promise<PresignedUrl>;
  presignPut(input: z.output<typeof presignPutInputSchema>): Promise<PresignedPut>;
  /** Never throws: an unreachable bucket is `ok: false`. */
  health(): Promise<BlobHealth>;
}

export interface BlobContext {
  blob: BlobApi;
  headers: Headers;
  signal: AbortSignal;
}

export function encodePutMeta(meta: PutObjectMeta): string {
  return encodeURIComponent(JSON.stringify(meta));
}

function decodePutMeta(header: string | null): PutObjectMeta {
  if (header === null) throw new DocstoreError('INVALID_INPUT', `missing ${PUT_META_HEADER} header`);
  let raw: unknown;
  try {
    raw = JSON.parse(decodeURIComponent(header));
  } catch (cause) {
    throw new DocstoreError('INVALID_INPUT', `${PUT_META_HEADER} is not URI-encoded JSON`, { cause });
  }
  const parsed = putObjectMetaSchema.safeParse(raw);
  if (!parsed.success) {
    throw new DocstoreError('INVALID_INPUT', `invalid ${PUT_META_HEADER} header`, { cause: parsed.error });
  }
  return parsed.data;
}

const { router, procedure } = initDocstoreTRPC<BlobContext>();

export const blobRouter = router({
  objects: router({
    put: procedure
      .input(octetInputParser)
      .output(storedObjectSchema)
      .mutation(({ ctx, input }) =>
        ctx.blob.put(decodePutMeta(ctx.headers.get(PUT_META_HEADER)), input, ctx.signal),
      ),
    stat: procedure
      .input(objectRefSchema)
      .output(storedObjectSchema)
      .query(({ ctx, input }) => ctx.blob.stat(input)),
    delete: procedure
      .input(objectRefSchema)
      .output(deleteObjectResultSchema)
      .mutation(({ ctx, input }) => ctx.blob.delete(input)),
    presignGet: procedure
      .input(presignGetInputSchema)
      .output(presignedUrlSchema)
      .mutation(({ ctx, input }) => ctx.blob.presignGet(input)),
    presignPut: procedure
      .input(presignPutInputSchema)
      .output(presignedPutSchema)
      .mutation(({ ctx, input }) => ctx.blob.presignPut(input)),
  }),
  health: procedure.output(blobHealthSchema).query(({ ctx }) => ctx.blob.health()),
});

export type BlobRouter = typeof blobRouter;
export type { PresignGetInput, PresignPutInput };
