import { z } from 'zod';

/** Seven days: the longest expiry S3 (SigV4) allows for a presigned URL. */
export const MAX_PRESIGN_EXPIRY_SECONDS = 7 * 24 * 60 * 60;
export const DEFAULT_PRESIGN_EXPIRY_SECONDS = 15 * 60;

export const uuidSchema = z.uuid();

/** `{userId}/{documentId}/{uuid}{ext}`: the only shape of key the blob service writes or reads. */
export const OBJECT_KEY_PATTERN =
  /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}\/[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}\/[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}(\.[a-z0-9]{1,10})?$/;
export const objectKeySchema = z.string().regex(OBJECT_KEY_PATTERN, 'not a docstore object key');

export const mimeTypeSchema = z
  .string()
  .max(255)
  .regex(/^[\w!#$&^.+-]+\/[\w!#$&^.+-]+(\s*;.*)?$/, 'not a MIME type');

/**
 * What a caller says about an object it writes. The original name only serves to derive the key's
 * extension: no part of it ever enters the key.
 */
export const putObjectMetaSchema = z.object({
  userId: uuidSchema,
  documentId: uuidSchema,
  name: z.string().max(1024),
  mimeType: mimeTypeSchema.optional(),
  /** Declared byte length; when known the body streams into one PUT, else a multipart upload. */
  size: z.number().int().nonnegative().optional(),
  /**
   * A key this service made earlier (`objects.reserveKey`), so the caller could record it before any
   * byte moved. It must be under `{userId}/{documentId}/`. Omitted: a new key is made now.
   */
  key: objectKeySchema.optional(),
});
export type PutObjectMeta = z.infer<typeof putObjectMetaSchema>;

/** What a key is made from: the same fields as a put, without the bytes. */
export const reserveKeyInputSchema = putObjectMetaSchema.pick({
  userId: true,
  documentId: true,
  name: true,
  mimeType: true,
});
export type ReserveKeyInput = z.infer<typeof reserveKeyInputSchema>;

export const storedObjectSchema = z.object({
  key: objectKeySchema,
  size: z.number().int().nonnegative(),
  contentType: z.string(),
  etag: z.string(),
  lastModified: z.iso.datetime(),
});
export type StoredObject = z.infer<typeof storedObjectSchema>;

export const objectRefSchema = z.object({ key: objectKeySchema });
export type ObjectRef = z.infer<typeof objectRefSchema>;

export const deleteObjectResultSchema = z.object({ key: objectKeySchema, existed: z.boolean() });
export type DeleteObjectResult = z.infer<typeof deleteObjectResultSchema>;

const expiresInSecondsSchema = z
  .number()
  .int()
  .min(1)
  .max(MAX_PRESIGN_EXPIRY_SECONDS)
  .default(DEFAULT_PRESIGN_EXPIRY_SECONDS);

export const presignGetInputSchema = z.object({
  key: objectKeySchema,
  expiresInSeconds: expiresInSecondsSchema,
  /** When set, the browser saves the file under this name (Content-Disposition: attachment). */
  downloadName: z.string().min(1).max(1024).optional(),
  /** Served as the response's Content-Type; defaults to the stored one. */
  contentType: mimeTypeSchema.optional(),
});
export type PresignGetInput = z.input<typeof presignGetInputSchema>;

export const presignPutInputSchema = putObjectMetaSchema.omit({ size: true }).extend({
  expiresInSeconds: expiresInSecondsSchema,
  /**
   * Signed for the endpoint the services reach S3 at (`S3_ENDPOINT`), not the public one browsers
   * use: for a docstore service that streams the bytes into S3 itself (the metadata service's
   * proxied uploads, one hop shorter than through `objects.put`).
   */
  internal: z.boolean().default(false),
});
export type PresignPutInput = z.input<typeof presignPutInputSchema>;

export const presignedUrlSchema = z.object({ url: z.url(), expiresAt: z.iso.datetime() });
export type PresignedUrl = z.infer<typeof presignedUrlSchema>;

export const presignedPutSchema = presignedUrlSchema.extend({ key: objectKeySchema });
export type PresignedPut = z.infer<typeof presignedPutSchema>;

export const blobHealthSchema = z.object({
  ok: z.boolean(),
  bucket: z.string(),
  latencyMs: z.number().nonnegative(),
});
export type BlobHealth = z.infer<typeof blobHealthSchema>;

/** Most keys one `objects.list` page returns (S3's own page limit). */
export const MAX_LIST_PAGE = 1000;

/** One page of the bucket's objects; pass the previous page's `nextContinuationToken` to go on. */
export const listObjectsInputSchema = z.object({
  /** Only keys that start with this, e.g. `{userId}/`. */
  prefix: z.string().max(1024).optional(),
  continuationToken: z.string().min(1).max(4096).optional(),
  limit: z.number().int().min(1).max(MAX_LIST_PAGE).default(MAX_LIST_PAGE),
});
export type ListObjectsInput = z.input<typeof listObjectsInputSchema>;

/**
 * An object as the bucket lists it. The key is any key the bucket holds, not only docstore's shape:
 * a reconciler has to see what does not belong too.
 */
export const listedObjectSchema = z.object({
  key: z.string().min(1),
  size: z.number().int().nonnegative(),
  lastModified: z.iso.datetime(),
});
export type ListedObject = z.infer<typeof listedObjectSchema>;

export const objectPageSchema = z.object({
  items: z.array(listedObjectSchema),
  /** Null on the last page. */
  nextContinuationToken: z.string().nullable(),
});
export type ObjectPage = z.infer<typeof objectPageSchema>;
