import { tracked } from '@trpc/server';
import { octetInputParser } from '@trpc/server/http';
import type { z } from 'zod';
import { presignedUrlSchema } from '../blob/schemas.ts';
import { decodeHeaderJson } from '../header-json.ts';
import { initDocstoreTRPC } from '../trpc.ts';
import {
  type CreatedUpload,
  createdUploadSchema,
  createTopicInputSchema,
  createUploadInputSchema,
  type DocumentPage,
  type DocumentView,
  deletedDocumentSchema,
  deletedTopicSchema,
  documentPageSchema,
  documentRefSchema,
  documentSchema,
  downloadUrlInputSchema,
  listDocumentsInputSchema,
  type MetadataHealth,
  metadataHealthSchema,
  onStatusInputSchema,
  type SettingsView,
  type StatusEvent,
  setTopicsInputSchema,
  settingsSchema,
  type TopicView,
  topicCountsSchema,
  topicRefSchema,
  topicSchema,
  updateSettingsInputSchema,
  updateTopicInputSchema,
  uploadMetaSchema,
} from './schemas.ts';

/** The header that carries an upload's metadata (JSON, URI-encoded); the body is the file itself. */
export const UPLOAD_META_HEADER = 'x-docstore-document';

type Input<Schema extends z.ZodType> = z.output<Schema>;

/** Documents of the calling user. Every method is scoped to that user. */
export interface DocumentsApi {
  upload(
    meta: Input<typeof uploadMetaSchema>,
    body: ReadableStream<Uint8Array>,
    signal: AbortSignal,
  ): Promise<DocumentView>;
  get(input: Input<typeof documentRefSchema>): Promise<DocumentView>;
  list(input: Input<typeof listDocumentsInputSchema>): Promise<DocumentPage>;
  delete(input: Input<typeof documentRefSchema>): Promise<{ id: string }>;
  setTopics(input: Input<typeof setTopicsInputSchema>): Promise<DocumentView>;
  downloadUrl(input: Input<typeof downloadUrlInputSchema>): Promise<{ url: string; expiresAt: string }>;
  /** A `pending` document and a presigned PUT: the bytes go straight to S3. */
  createUpload(input: Input<typeof createUploadInputSchema>): Promise<CreatedUpload>;
  /** Checks the object the client PUT and marks the document `ready`, or `failed` with a reason. */
  completeUpload(input: Input<typeof documentRefSchema>): Promise<DocumentView>;
  /**
   * The caller's status events, live: first those after `lastEventId` (in order, once), then new
   * ones, until `signal` aborts. `id` is the event's position, for resuming.
   */
  onStatus(
    input: Input<typeof onStatusInputSchema>,
    signal: AbortSignal,
  ): AsyncIterable<{ id: string; event: StatusEvent }>;
}

/** Topics (tags) of the calling user. */
export interface TopicsApi {
  list(): Promise<TopicView[]>;
  get(input: Input<typeof topicRefSchema>): Promise<TopicView>;
  create(input: Input<typeof createTopicInputSchema>): Promise<TopicView>;
  update(input: Input<typeof updateTopicInputSchema>): Promise<TopicView>;
  delete(input: Input<typeof topicRefSchema>): Promise<{ name: string; removedFrom: number }>;
  counts(): Promise<Record<string, number>>;
}

export interface SettingsApi {
  get(): Promise<SettingsView>;
  update(input: Input<typeof updateSettingsInputSchema>): Promise<SettingsView>;
}

/** What the metadata service puts in each request's context: the APIs, bound to the caller. */
export interface MetadataContext {
  documents: DocumentsApi;
  topics: TopicsApi;
  settings: SettingsApi;
  health(): Promise<MetadataHealth>;
  headers: Headers;
  signal: AbortSignal;
}

const { router, procedure } = initDocstoreTRPC<MetadataContext>();

export const metadataRouter = router({
  documents: router({
    upload: procedure
      .input(octetInputParser)
      .output(documentSchema)
      .mutation(({ ctx, input }) =>
        ctx.documents.upload(
          decodeHeaderJson(ctx.headers, UPLOAD_META_HEADER, uploadMetaSchema),
          input,
          ctx.signal,
        ),
      ),
    get: procedure
      .input(documentRefSchema)
      .output(documentSchema)
      .query(({ ctx, input }) => ctx.documents.get(input)),
    list: procedure
      .input(listDocumentsInputSchema)
      .output(documentPageSchema)
      .query(({ ctx, input }) => ctx.documents.list(input)),
    delete: procedure
      .input(documentRefSchema)
      .output(deletedDocumentSchema)
      .mutation(({ ctx, input }) => ctx.documents.delete(input)),
    setTopics: procedure
      .input(setTopicsInputSchema)
      .output(documentSchema)
      .mutation(({ ctx, input }) => ctx.documents.setTopics(input)),
    downloadUrl: procedure
      .input(downloadUrlInputSchema)
      .output(presignedUrlSchema)
      .mutation(({ ctx, input }) => ctx.documents.downloadUrl(input)),
    createUpload: procedure
      .input(createUploadInputSchema)
      .output(createdUploadSchema)
      .mutation(({ ctx, input }) => ctx.documents.createUpload(input)),
    completeUpload: procedure
      .input(documentRefSchema)
      .output(documentSchema)
      .mutation(({ ctx, input }) => ctx.documents.completeUpload(input)),
    // Subscriptions cannot declare .output(); the domain builds events from the contract's schema.
    onStatus: procedure.input(onStatusInputSchema).subscription(async function* ({ ctx, input, signal }) {
      for await (const { id, event } of ctx.documents.onStatus(input, signal ?? ctx.signal)) {
        yield tracked(id, event);
      }
    }),
  }),
  topics: router({
    list: procedure.output(topicSchema.array()).query(({ ctx }) => ctx.topics.list()),
    get: procedure
      .input(topicRefSchema)
      .output(topicSchema)
      .query(({ ctx, input }) => ctx.topics.get(input)),
    create: procedure
      .input(createTopicInputSchema)
      .output(topicSchema)
      .mutation(({ ctx, input }) => ctx.topics.create(input)),
    update: procedure
      .input(updateTopicInputSchema)
      .output(topicSchema)
      .mutation(({ ctx, input }) => ctx.topics.update(input)),
    delete: procedure
      .input(topicRefSchema)
      .output(deletedTopicSchema)
      .mutation(({ ctx, input }) => ctx.topics.delete(input)),
    counts: procedure.output(topicCountsSchema).query(({ ctx }) => ctx.topics.counts()),
  }),
  settings: router({
    get: procedure.output(settingsSchema).query(({ ctx }) => ctx.settings.get()),
    update: procedure
      .input(updateSettingsInputSchema)
      .output(settingsSchema)
      .mutation(({ ctx, input }) => ctx.settings.update(input)),
  }),
  health: procedure.output(metadataHealthSchema).query(({ ctx }) => ctx.health()),
});

export type MetadataRouter = typeof metadataRouter;
