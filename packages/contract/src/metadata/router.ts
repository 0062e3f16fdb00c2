import { type TrackedEnvelope, tracked } from '@trpc/server';
import { octetInputParser } from '@trpc/server/http';
import type { z } from 'zod';
import { presignedUrlSchema } from '../blob/schemas.ts';
import { DocstoreError, toTRPCError } from '../errors.ts';
import { decodeHeaderJson } from '../header-json.ts';
import { type LiveFeed, liveFeed } from '../live-feed.ts';
import { initDocstoreTRPC, type ProcedureObserver } from '../trpc.ts';
import {
  applySuggestionsInputSchema,
  type DocumentText,
  documentTextSchema,
  type SearchPage,
  searchInputSchema,
  searchPageSchema,
  type TopicSuggestionView,
  topicSuggestionSchema,
} from './processing-schemas.ts';
import {
  type AuditPage,
  auditPageSchema,
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
  listAuditInputSchema,
  listDocumentsInputSchema,
  type MetadataHealth,
  metadataHealthSchema,
  onStatusInputSchema,
  type SettingsView,
  type StatusEvent,
  setTopicsInputSchema,
  settingsSchema,
  sha256LookupInputSchema,
  type TopicView,
  topicCountsSchema,
  topicRefSchema,
  topicSchema,
  updateSettingsInputSchema,
  updateTopicInputSchema,
  uploadMetaSchema,
} from './schemas.ts';
import { UPLOAD_META_HEADER } from './upload-header.ts';

export { UPLOAD_META_HEADER } from './upload-header.ts';

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
   * ones, until its consumer stops. `id` is the event's position, for resuming.
   */
  onStatus(input: Input<typeof onStatusInputSchema>): LiveFeed<{ id: string; event: StatusEvent }>;
  /** Full-text search over the caller's processed documents (and typo-tolerant over names). */
  search(input: Input<typeof searchInputSchema>): Promise<SearchPage>;
  /** The extracted text and what processing found. */
  text(input: Input<typeof documentRefSchema>): Promise<DocumentText>;
  /** Runs processing again (text, rules, AI); the document view shows `processing` meanwhile. */
  reprocess(input: Input<typeof documentRefSchema>): Promise<DocumentView>;
  /** The AI's topic suggestions for a document. */
  suggestions(input: Input<typeof documentRefSchema>): Promise<TopicSuggestionView[]>;
  /** Applies accepted suggestions (creating new topics), dismisses rejected ones. */
  applySuggestions(input: Input<typeof applySuggestionsInputSchema>): Promise<DocumentView>;
  /** The caller's ready documents with these bytes (hex SHA-256), oldest first. */
  findBySha256(input: Input<typeof sha256LookupInputSchema>): Promise<DocumentView[]>;
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

/** The caller's own audit trail, newest first. */
export interface AuditApi {
  list(input: Input<typeof listAuditInputSchema>): Promise<AuditPage>;
}

export interface SettingsApi {
  get(): Promise<SettingsView>;
  update(input: Input<typeof updateSettingsInputSchema>): Promise<SettingsView>;
}

/** The APIs of an authenticated caller, every one scoped to that user. */
export interface UserContext {
  documents: DocumentsApi;
  topics: TopicsApi;
  settings: SettingsApi;
  audit: AuditApi;
  /** Aborts when the caller's token expires: live subscriptions end there. */
  sessionEnd: AbortSignal;
}

/** What the metadata service puts in each request's context. */
export interface MetadataContext {
  /** Null when the request carried no valid token: every procedure but `health` is then UNAUTHORIZED. */
  user: UserContext | null;
  health(): Promise<MetadataHealth>;
  headers: Headers;
  signal: AbortSignal;
  /** Sees every finished call (the service's metrics). */
  observeProcedure?: ProcedureObserver;
}

const { router, procedure } = initDocstoreTRPC<MetadataContext>();

/** Deliberately terse: which check failed is nobody's business but the server's. */
const UNAUTHENTICATED = 'a valid access token is required';

/** A procedure for signed-in callers: `ctx.user` is there, or the call is UNAUTHORIZED. */
const userProcedure = procedure.use(({ ctx, next }) => {
  const { user } = ctx;
  if (!user || user.sessionEnd.aborted) throw new DocstoreError('UNAUTHORIZED', UNAUTHENTICATED);
  return next({ ctx: { user } });
});

export const metadataRouter = router({
  documents: router({
    upload: userProcedure
      .input(octetInputParser)
      .output(documentSchema)
      .mutation(({ ctx, input }) =>
        ctx.user.documents.upload(
          decodeHeaderJson(ctx.headers, UPLOAD_META_HEADER, uploadMetaSchema),
          input,
          ctx.signal,
        ),
      ),
    get: userProcedure
      .input(documentRefSchema)
      .output(documentSchema)
      .query(({ ctx, input }) => ctx.user.documents.get(input)),
    list: userProcedure
      .input(listDocumentsInputSchema)
      .output(documentPageSchema)
      .query(({ ctx, input }) => ctx.user.documents.list(input)),
    delete: userProcedure
      .input(documentRefSchema)
      .output(deletedDocumentSchema)
      .mutation(({ ctx, input }) => ctx.user.documents.delete(input)),
    setTopics: userProcedure
      .input(setTopicsInputSchema)
      .output(documentSchema)
      .mutation(({ ctx, input }) => ctx.user.documents.setTopics(input)),
    downloadUrl: userProcedure
      .input(downloadUrlInputSchema)
      .output(presignedUrlSchema)
      .mutation(({ ctx, input }) => ctx.user.documents.downloadUrl(input)),
    createUpload: userProcedure
      .input(createUploadInputSchema)
      .output(createdUploadSchema)
      .mutation(({ ctx, input }) => ctx.user.documents.createUpload(input)),
    completeUpload: userProcedure
      .input(documentRefSchema)
      .output(documentSchema)
      .mutation(({ ctx, input }) => ctx.user.documents.completeUpload(input)),
    // Subscriptions cannot declare .output(); the domain builds events from the contract's schema.
    onStatus: userProcedure.input(onStatusInputSchema).subscription(({ ctx, input }) => {
      const { sessionEnd } = ctx.user;
      const events = ctx.user.documents.onStatus(input);
      return liveFeed<TrackedEnvelope<StatusEvent>>(async (deliver, signal) => {
        try {
          await events.listen(
            ({ id, event }) => deliver(tracked(id, event)),
            AbortSignal.any([signal, sessionEnd]),
          );
        } catch (error) {
          // Errors raised while streaming pass no middleware: map them here.
          throw error instanceof DocstoreError ? toTRPCError(error) : error;
        }
        // The token ran out: the client learns why its stream ended.
        if (sessionEnd.aborted && !signal.aborted) {
          throw toTRPCError(new DocstoreError('UNAUTHORIZED', 'the access token expired'));
        }
      });
    }),
    search: userProcedure
      .input(searchInputSchema)
      .output(searchPageSchema)
      .query(({ ctx, input }) => ctx.user.documents.search(input)),
    text: userProcedure
      .input(documentRefSchema)
      .output(documentTextSchema)
      .query(({ ctx, input }) => ctx.user.documents.text(input)),
    reprocess: userProcedure
      .input(documentRefSchema)
      .output(documentSchema)
      .mutation(({ ctx, input }) => ctx.user.documents.reprocess(input)),
    suggestions: userProcedure
      .input(documentRefSchema)
      .output(topicSuggestionSchema.array())
      .query(({ ctx, input }) => ctx.user.documents.suggestions(input)),
    applySuggestions: userProcedure
      .input(applySuggestionsInputSchema)
      .output(documentSchema)
      .mutation(({ ctx, input }) => ctx.user.documents.applySuggestions(input)),
    findBySha256: userProcedure
      .input(sha256LookupInputSchema)
      .output(documentSchema.array())
      .query(({ ctx, input }) => ctx.user.documents.findBySha256(input)),
  }),
  topics: router({
    list: userProcedure.output(topicSchema.array()).query(({ ctx }) => ctx.user.topics.list()),
    get: userProcedure
      .input(topicRefSchema)
      .output(topicSchema)
      .query(({ ctx, input }) => ctx.user.topics.get(input)),
    create: userProcedure
      .input(createTopicInputSchema)
      .output(topicSchema)
      .mutation(({ ctx, input }) => ctx.user.topics.create(input)),
    update: userProcedure
      .input(updateTopicInputSchema)
      .output(topicSchema)
      .mutation(({ ctx, input }) => ctx.user.topics.update(input)),
    delete: userProcedure
      .input(topicRefSchema)
      .output(deletedTopicSchema)
      .mutation(({ ctx, input }) => ctx.user.topics.delete(input)),
    counts: userProcedure.output(topicCountsSchema).query(({ ctx }) => ctx.user.topics.counts()),
  }),
  settings: router({
    get: userProcedure.output(settingsSchema).query(({ ctx }) => ctx.user.settings.get()),
    update: userProcedure
      .input(updateSettingsInputSchema)
      .output(settingsSchema)
      .mutation(({ ctx, input }) => ctx.user.settings.update(input)),
  }),
  audit: router({
    list: userProcedure
      .input(listAuditInputSchema)
      .output(auditPageSchema)
      .query(({ ctx, input }) => ctx.user.audit.list(input)),
  }),
  health: procedure.output(metadataHealthSchema).query(({ ctx }) => ctx.health()),
});

export type MetadataRouter = typeof metadataRouter;
