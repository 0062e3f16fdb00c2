import { z } from 'zod';
import { MAX_PRESIGN_EXPIRY_SECONDS, mimeTypeSchema, uuidSchema } from '../blob/schemas.ts';
import { documentProcessingSchema, matchingRuleSchema } from './processing-schemas.ts';

const hasNoControlCharacters = (value: string) => !/\p{Cc}/u.test(value);
const characterCount = (value: string) => [...value].length;

/** The original filename: NFC-normalised, 1-255 characters, no control characters. */
export const documentNameSchema = z
  .string()
  .transform((value) => value.normalize('NFC'))
  .refine((value) => characterCount(value) >= 1, 'name must not be empty')
  .refine((value) => characterCount(value) <= 255, 'name must be at most 255 characters')
  .refine(hasNoControlCharacters, 'name must not contain control characters');

/** A topic name: trimmed, 1-64 characters; unique per user regardless of case. */
export const topicNameSchema = z
  .string()
  .transform((value) => value.normalize('NFC').trim())
  .refine((value) => characterCount(value) >= 1, 'topic name must not be empty')
  .refine((value) => characterCount(value) <= 64, 'topic name must be at most 64 characters')
  .refine(hasNoControlCharacters, 'topic name must not contain control characters');

export const topicNamesSchema = z.array(topicNameSchema).max(100);

/**
 * A document's life cycle: pending (key reserved, bytes may be moving) → stored (bytes in, checked)
 * → ready | failed; deleting (the object is being removed after commit) → gone. `missing`: a ready
 * document whose object vanished from the bucket (found by the reconciler).
 */
export const documentStatusSchema = z.enum(['pending', 'ready', 'failed', 'stored', 'deleting', 'missing']);
export type DocumentStatus = z.infer<typeof documentStatusSchema>;

export const documentSchema = z.object({
  id: uuidSchema,
  name: z.string(),
  mimeType: z.string(),
  size: z.number().int().nonnegative(),
  /** Hex SHA-256 of the bytes; null until they have arrived. */
  sha256: z
    .string()
    .regex(/^[0-9a-f]{64}$/)
    .nullable(),
  status: documentStatusSchema,
  topics: z.array(z.string()),
  createdAt: z.iso.datetime(),
  updatedAt: z.iso.datetime(),
  /** What processing found (text, pages, language, duplicates); absent from older servers. */
  processing: documentProcessingSchema.optional(),
});
export type DocumentView = z.infer<typeof documentSchema>;

/** What travels with an upload's body, in the `x-docstore-document` header. */
export const uploadMetaSchema = z.object({
  name: documentNameSchema,
  mimeType: mimeTypeSchema.default('application/octet-stream'),
  topics: topicNamesSchema.default([]),
  /** Byte length when the client knows it: the bytes then stream into S3 in one PUT. */
  size: z.number().int().nonnegative().optional(),
});
export type UploadMeta = z.input<typeof uploadMetaSchema>;

export const documentRefSchema = z.object({ id: uuidSchema });
export type DocumentRef = z.infer<typeof documentRefSchema>;

export const listDocumentsInputSchema = z.object({
  topic: topicNameSchema.optional(),
  /** Opaque: the `nextCursor` of the previous page. */
  cursor: z.string().max(200).optional(),
  limit: z.number().int().min(1).max(200).default(50),
});
export type ListDocumentsInput = z.input<typeof listDocumentsInputSchema>;

export const documentPageSchema = z.object({
  items: z.array(documentSchema),
  nextCursor: z.string().nullable(),
});
export type DocumentPage = z.infer<typeof documentPageSchema>;

/** For `upload --skip-duplicates`: which of the caller's documents hold these bytes. */
export const sha256LookupInputSchema = z.object({ sha256: z.string().regex(/^[0-9a-f]{64}$/) });

export const setTopicsInputSchema = z.object({ id: uuidSchema, topics: topicNamesSchema });

export const downloadUrlInputSchema = z.object({
  id: uuidSchema,
  expiresInSeconds: z.number().int().min(1).max(MAX_PRESIGN_EXPIRY_SECONDS).optional(),
});

export const deletedDocumentSchema = z.object({ id: uuidSchema });

const colorSchema = z.string().regex(/^#[0-9a-fA-F]{6}$/, 'color must be #rrggbb');
const descriptionSchema = z.string().max(1000);

export const topicSchema = z.object({
  id: uuidSchema,
  name: z.string(),
  description: z.string().nullable(),
  color: z.string().nullable(),
  /** Ready documents carrying the topic. */
  documentCount: z.number().int().nonnegative(),
  createdAt: z.iso.datetime(),
  updatedAt: z.iso.datetime(),
  /** The matching rule: processed documents whose text matches get this topic. */
  match: z.object({ algorithm: z.string(), pattern: z.string(), caseSensitive: z.boolean() }).optional(),
});
export type TopicView = z.infer<typeof topicSchema>;

export const topicRefSchema = z.object({ id: uuidSchema });

export const createTopicInputSchema = z.object({
  name: topicNameSchema,
  description: descriptionSchema.optional(),
  color: colorSchema.optional(),
  /** Documents processed from now on whose text matches get the topic. */
  match: matchingRuleSchema.optional(),
});

export const updateTopicInputSchema = z.object({
  id: uuidSchema,
  name: topicNameSchema.optional(),
  /** null clears it. */
  description: descriptionSchema.nullable().optional(),
  /** null clears it. */
  color: colorSchema.nullable().optional(),
  /** `{ algorithm: 'none', pattern: '' }` turns matching off. */
  match: matchingRuleSchema.optional(),
});

export const deletedTopicSchema = z.object({ name: z.string(), removedFrom: z.number().int().nonnegative() });

/** Ready-document count per topic name; topics without documents count 0. */
export const topicCountsSchema = z.record(z.string(), z.number().int().nonnegative());

export const settingsSchema = z.object({
  aiProvider: z.string().nullable(),
  aiModel: z.string().nullable(),
  /** Never the key itself: at most its last 4 characters, e.g. `••••••••abcd`. */
  apiKey: z.string().nullable(),
  updatedAt: z.iso.datetime().nullable(),
  /** An OpenAI-compatible provider's base URL (e.g. https://api.openai.com/v1). */
  aiBaseUrl: z.string().nullable().optional(),
  /** `auto`: AI suggestions are applied at once; `review`: they wait for documents.applySuggestions. */
  aiApplyMode: z.enum(['review', 'auto']).optional(),
  /** Whether the AI may propose topics the caller does not have yet. */
  aiNewTopics: z.boolean().optional(),
});
export type SettingsView = z.infer<typeof settingsSchema>;

export const updateSettingsInputSchema = z.object({
  aiProvider: z.string().trim().min(1).max(64).nullable().optional(),
  aiModel: z.string().trim().min(1).max(128).nullable().optional(),
  /** Omitted: keep the stored key; null: clear it. */
  apiKey: z.string().min(1).max(4096).nullable().optional(),
  aiBaseUrl: z
    .url({ protocol: /^https?$/ })
    .max(2048)
    .nullable()
    .optional(),
  aiApplyMode: z.enum(['review', 'auto']).optional(),
  aiNewTopics: z.boolean().optional(),
});

export const metadataHealthSchema = z.object({ ok: z.boolean(), database: z.boolean(), blob: z.boolean() });
export type MetadataHealth = z.infer<typeof metadataHealthSchema>;

export const createUploadInputSchema = z.object({
  name: documentNameSchema,
  mimeType: mimeTypeSchema.default('application/octet-stream'),
  size: z.number().int().nonnegative(),
  topics: topicNamesSchema.default([]),
});
export type CreateUploadInput = z.input<typeof createUploadInputSchema>;

export const createdUploadSchema = z.object({
  document: documentSchema,
  /** PUT the bytes here, with exactly `size` bytes and the same Content-Type. */
  uploadUrl: z.url(),
  expiresAt: z.iso.datetime(),
});
export type CreatedUpload = z.infer<typeof createdUploadSchema>;

/** Upload status as clients see it live; `receiving` repeats while bytes arrive. */
export const uploadStatusSchema = z.enum([
  'pending',
  'receiving',
  'stored',
  'ready',
  'failed',
  'deleted',
  'deleting',
  'missing',
  // Processing after `ready`: text extraction and topic rules (then `processed` or `processing_failed`).
  'processing',
  'processed',
  'processing_failed',
]);
export type UploadStatus = z.infer<typeof uploadStatusSchema>;

export const statusEventSchema = z.object({
  documentId: uuidSchema,
  status: uploadStatusSchema,
  receivedBytes: z.number().int().nonnegative(),
  totalBytes: z.number().int().nonnegative().nullable(),
  error: z.string().nullable(),
  at: z.iso.datetime(),
  /** `processed`: the topics its rules assigned. */
  topics: z.array(z.string()).optional(),
  /** `processed` (or later, after AI): topics suggested for review. */
  suggestedTopics: z.array(z.string()).optional(),
  /** `processing_failed`: why (e.g. `unsupported_type`); also in `error`. */
  reason: z.string().optional(),
});
export type StatusEvent = z.infer<typeof statusEventSchema>;

export const onStatusInputSchema = z.object({
  /** Only this document's events; without it, all of the caller's documents. */
  documentId: uuidSchema.optional(),
  /** Resume after this event id (sent by the client on reconnect): missed events come first, once. */
  lastEventId: z
    .string()
    .regex(/^\d{1,19}$/)
    .optional(),
});
export type OnStatusInput = z.input<typeof onStatusInputSchema>;

export const listAuditInputSchema = z.object({
  cursor: z.string().max(200).optional(),
  limit: z.number().int().min(1).max(200).default(50),
});

export const auditEntrySchema = z.object({
  id: uuidSchema,
  action: z.string(),
  targetType: z.string(),
  targetId: z.string().nullable(),
  ipAddress: z.string().nullable(),
  details: z.record(z.string(), z.unknown()).nullable(),
  at: z.iso.datetime(),
});
export type AuditEntry = z.infer<typeof auditEntrySchema>;

export const auditPageSchema = z.object({
  items: z.array(auditEntrySchema),
  nextCursor: z.string().nullable(),
});
export type AuditPage = z.infer<typeof auditPageSchema>;
