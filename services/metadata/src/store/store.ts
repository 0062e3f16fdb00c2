import type { DocumentPage, DocumentView, SearchPage } from '@docstore/contract';
import type { EntityManager } from '@mikro-orm/postgresql';
import { translateDatabaseError, withDatabaseErrors } from '../adapters/database-errors.ts';
import type { Document, DocumentStatus, Topic } from '../db/entities.ts';
import { type AuditAction, recordAudit } from '../domain/audit.ts';
import { defineBuiltWhenUsed } from '../domain/built-when-used.ts';
import type { Caller } from '../domain/caller.ts';
import { documentById, documentPage } from '../domain/document-pages.ts';
import { type NewStatusEvent, recordStatus } from '../domain/status/status-store.ts';
import { topicsNamed } from '../domain/topic-names.ts';
import * as ai from './ai.ts';
import { setDocumentTopics } from './document-topics.ts';
import * as t from './document-transitions.ts';
import { enqueueObjectRemoval, type RemoveObjectPayload } from './jobs.ts';
import * as processing from './processing.ts';
import { documentText, searchDocuments } from './search.ts';
import {
  type AuditRow,
  auditPage,
  findSettings,
  type SettingsChanges,
  type SettingsRow,
  saveSettings,
} from './settings-and-audit.ts';
import { query } from './sql.ts';
import { applySuggestions, listSuggestions } from './suggestions.ts';

export type { ClaimedDocument, NewDocumentFields, Progress } from './document-transitions.ts';
export type { ProcessedFields, ProcessingTarget, RuleTopic } from './processing.ts';
export type { AuditRow, SettingsChanges, SettingsRow } from './settings-and-audit.ts';

/** A document row as the domain reads it to decide (never to write: transitions write). */
export interface DocumentRow {
  id: string;
  userId: string;
  name: string;
  size: number;
  status: DocumentStatus;
  objectKey: string | null;
  failureReason: string | null;
}

/**
 * The metadata database as the domain sees it. The store owns every EntityManager fork, every SQL
 * string and the mapping of database errors to domain errors (SERVICE_UNAVAILABLE, CONFLICT); the
 * domain gets a store and a caller, never an EntityManager. Document status changes only through
 * the transitions here (see document-transitions.ts for the life cycle).
 */
export interface Store {
  /** Runs `work` in one transaction; everything `tx` does commits or rolls back together. */
  withTransaction<T>(work: (tx: Store) => Promise<T>): Promise<T>;
  documents: {
    /** The caller's document as a view; null when absent or being deleted. */
    view(userId: string, id: string): Promise<DocumentView | null>;
    page(userId: string, input: { topic?: string; cursor?: string; limit: number }): Promise<DocumentPage>;
    /** The caller's row, for decisions; null when absent or being deleted. */
    find(userId: string, id: string): Promise<DocumentRow | null>;
    markPending(userId: string, fields: t.NewDocumentFields): Promise<Document>;
    markStored(userId: string, id: string, stored: { size: number; sha256?: string }): Promise<void>;
    markReady(caller: Caller, id: string): Promise<void>;
    markFailed(userId: string, id: string, reason: string, progress: t.Progress): Promise<void>;
    discardPending(userId: string, id: string, reason: string, progress: t.Progress): Promise<void>;
    /** Null when there is no such row (or it is already being deleted). */
    markDeleting(
      where: { id: string; userId?: string; from?: readonly DocumentStatus[] },
      reason?: string,
    ): Promise<t.ClaimedDocument | null>;
    removeDeleted(id: string): Promise<void>;
    /** For the reconciler: a ready row whose object is gone becomes `missing` (event + audit). */
    markMissing(id: string, objectKey: string): Promise<t.ClaimedDocument>;
    touchPending(id: string): Promise<boolean>;
    claimStale(
      from: readonly DocumentStatus[],
      olderThanSeconds: number,
      limit: number,
      reason: string,
    ): Promise<t.ClaimedDocument[]>;
    /** For the reconciler: `deleting` rows whose removal is no longer queued (see `t.strandedDeletions`). */
    strandedDeletions(
      page: { olderThan: Date; afterId: string | null; limit: number },
      requeue: boolean,
    ): Promise<{ id: string; objectKey: string | null }[]>;
    /** For the reconciler: which of `keys` a row owns, with that row's id and status. */
    ownersOf(keys: string[]): Promise<Map<string, { id: string; status: DocumentStatus }>>;
    /**
     * For the reconciler: ready rows after `afterKey` ('' for the first), `limit` at a time, in byte
     * order (collate "C", as S3 lists keys) whatever the database's collation.
     */
    readyAfter(
      afterKey: string,
      limit: number,
    ): Promise<{ id: string; objectKey: string; updatedAt: Date }[]>;
    /** Replaces the document's topics (recounting them when it is ready); false when there is no such document. */
    setTopics(userId: string, id: string, topicIds: string[]): Promise<boolean>;
  };
  topics: {
    named(userId: string, names: string[]): Promise<Topic[]>;
  };
  settings: {
    find(userId: string): Promise<SettingsRow | null>;
    /** Creates or changes the caller's row with its audit entry (one transaction). */
    save(
      caller: Caller,
      changes: SettingsChanges,
      audit: { action: AuditAction; details: Record<string, unknown> },
    ): Promise<SettingsRow>;
  };
  audit: {
    /** The user's entries newest first, after the keyset `after`. */
    page(userId: string, after: { at: Date; id: string } | undefined, limit: number): Promise<AuditRow[]>;
    /** Written in the same transaction as the change it records; `details` never holds a secret. */
    record(
      caller: Caller,
      action: AuditAction,
      target: { type: 'document' | 'topic' | 'settings'; id: string | null },
      details?: Record<string, unknown>,
    ): Promise<void>;
  };
  status: {
    record(userId: string, event: NewStatusEvent): Promise<void>;
  };
  /** Document processing (text, search, rules): see processing.ts for its guarded writers. */
  processing: {
    begin(id: string, version: number): Promise<processing.ProcessingTarget | null>;
    ruleTopics(userId: string): Promise<processing.RuleTopic[]>;
    /** One transaction: text, hash, duplicate, rule topics, `processed` event. Null when stale. */
    complete(
      target: processing.ProcessingTarget,
      version: number,
      fields: processing.ProcessedFields,
    ): Promise<{ topics: string[] } | null>;
    fail(
      target: processing.ProcessingTarget,
      version: number,
      reason: string,
      sha256: string | null,
    ): Promise<boolean>;
    /** False when the caller has no such ready document. */
    reprocess(userId: string, id: string): Promise<boolean>;
    search(
      userId: string,
      input: { query: string; topic?: string; limit: number; cursor?: string },
    ): Promise<SearchPage>;
    text(userId: string, id: string): ReturnType<typeof documentText>;
    /** The caller's ready documents holding these bytes, oldest first. */
    bySha256(userId: string, sha256: string): Promise<string[]>;
    suggestions(userId: string, documentId: string): ReturnType<typeof listSuggestions>;
    /** Null when there is no such document. */
    applySuggestions(
      userId: string,
      documentId: string,
      accept: string[],
      reject: string[],
    ): ReturnType<typeof applySuggestions>;
  };
  /** The AI step (jobs/classify-document.ts): its input, its cache, its suggestions. */
  ai: {
    input(payload: ai.ClassifyDocumentPayload): Promise<ai.ClassificationInput | null>;
    cached(
      userId: string,
      key: { contentSha256: string; model: string; promptVersion: string },
    ): Promise<ai.CachedAnswer | null>;
    cache(
      userId: string,
      key: { contentSha256: string; model: string; promptVersion: string },
      topicsSha256: string,
      answer: ai.CachedAnswer,
    ): Promise<void>;
    saveSuggestions(
      payload: ai.ClassifyDocumentPayload,
      answer: ai.CachedAnswer & { promptVersion: string },
      applyMode: 'review' | 'auto',
    ): Promise<{ applied: string[]; suggested: string[] } | null>;
    /** Runs the AI step again at `runAt` (a provider's Retry-After). */
    reschedule(payload: ai.ClassifyDocumentPayload, runAt: Date): Promise<void>;
  };
  jobs: {
    /** Removal of an object (and a deleting row) after commit, retried with backoff until it succeeds. */
    enqueueObjectRemoval(payload: RemoveObjectPayload): Promise<void>;
  };
}

interface RowOfDocument {
  id: string;
  user_id: string;
  name: string;
  size: string | number;
  status: DocumentStatus;
  object_key: string | null;
  failure_reason: string | null;
}

/**
 * A store for one request or job (a WebSocket connection makes one per call) on `root`, the ORM's
 * global EntityManager or any other. Reads of plain rows (fixed SQL, no entities) run on `root`'s
 * pool; the fork that entity work and transactions need is made by the first such call, and each part
 * of the store (documents, settings…) is built when first used: a request that read one document
 * paid ~50 µs for a fork and forty-odd wrapped methods it never called (issue 12).
 */
export function createStore(root: EntityManager): Store {
  let fork: EntityManager | undefined;
  return storeOn(root, () => {
    fork ??= root.fork();
    return fork;
  });
}

/** `rows`: where reads of plain rows run; `em()`: the EntityManager of entity work and transactions. */
function storeOn(rows: EntityManager, em: () => EntityManager): Store {
  /** A transition is several statements: alone it gets a transaction of its own, else it joins the caller's. */
  const atomic = <T>(work: (tx: EntityManager) => Promise<T>): Promise<T> => {
    const on = em();
    return on.isInTransaction() ? work(on) : on.transactional(work);
  };
  const store = {
    async withTransaction(work) {
      try {
        return await em().transactional((tx) => work(storeOn(tx, () => tx)));
      } catch (error) {
        throw translateDatabaseError(error);
      }
    },
  } as Store;
  // Every method translates what the database throws, once, here.
  return defineBuiltWhenUsed(store, {
    documents: () =>
      withDatabaseErrors({
        view: (userId: string, id: string) => documentById(rows, userId, id),
        page: (userId: string, input: { topic?: string; cursor?: string; limit: number }) =>
          documentPage(rows, userId, input),
        async find(userId: string, id: string): Promise<DocumentRow | null> {
          const [row] = await query<RowOfDocument>(
            rows,
            `select id, user_id, name, size, status, object_key, failure_reason from documents
            where id = ? and user_id = ? and status <> 'deleting'`,
            [id, userId],
          );
          return row
            ? {
                id: row.id,
                userId: row.user_id,
                name: row.name,
                size: Number(row.size),
                status: row.status,
                objectKey: row.object_key,
                failureReason: row.failure_reason,
              }
            : null;
        },
        markPending: (userId: string, fields: t.NewDocumentFields) =>
          atomic((tx) => t.markPending(tx, userId, fields)),
        markStored: (userId: string, id: string, stored: { size: number; sha256?: string }) =>
          atomic((tx) => t.markStored(tx, userId, id, stored)),
        markReady: (caller: Caller, id: string) => atomic((tx) => t.markReady(tx, caller, id)),
        markFailed: (userId: string, id: string, reason: string, progress: t.Progress) =>
          atomic((tx) => t.markFailed(tx, userId, id, reason, progress)),
        discardPending: (userId: string, id: string, reason: string, progress: t.Progress) =>
          atomic((tx) => t.discardPending(tx, userId, id, reason, progress)),
        markDeleting: (
          where: { id: string; userId?: string; from?: readonly DocumentStatus[] },
          reason?: string,
        ) => atomic((tx) => t.markDeleting(tx, where, reason)),
        removeDeleted: (id: string) => t.removeDeleted(em(), id),
        markMissing: (id: string, objectKey: string) => atomic((tx) => t.markMissing(tx, id, objectKey)),
        touchPending: (id: string) => t.touchPending(em(), id),
        claimStale: (
          from: readonly DocumentStatus[],
          olderThanSeconds: number,
          limit: number,
          reason: string,
        ) => atomic((tx) => t.claimStale(tx, from, olderThanSeconds, limit, reason)),
        strandedDeletions: (
          page: { olderThan: Date; afterId: string | null; limit: number },
          requeue: boolean,
        ) => atomic((tx) => t.strandedDeletions(tx, page, requeue)),
        setTopics: (userId: string, id: string, topicIds: string[]) =>
          atomic((tx) => setDocumentTopics(tx, userId, id, topicIds)),
        async ownersOf(keys: string[]) {
          if (keys.length === 0) return new Map();
          const owners = await query<{ id: string; object_key: string; status: DocumentStatus }>(
            rows,
            'select id, object_key, status from documents where object_key in (?)',
            [keys],
          );
          return new Map(owners.map((row) => [row.object_key, { id: row.id, status: row.status }]));
        },
        async readyAfter(afterKey: string, limit: number) {
          const ready = await query<{ id: string; object_key: string; updated_at: Date | string }>(
            rows,
            `select id, object_key, updated_at from documents
            where status = 'ready' and object_key collate "C" > ? order by object_key collate "C" limit ?`,
            [afterKey, limit],
          );
          return ready.map((row) => ({
            id: row.id,
            objectKey: row.object_key,
            updatedAt: new Date(row.updated_at),
          }));
        },
      }),
    settings: () =>
      withDatabaseErrors({
        find: (userId: string) => findSettings(em(), userId),
        save: (
          caller: Caller,
          changes: SettingsChanges,
          audit: { action: AuditAction; details: Record<string, unknown> },
        ) => atomic((tx) => saveSettings(tx, caller, changes, audit)),
      }),
    audit: () =>
      withDatabaseErrors({
        page: (userId: string, after: { at: Date; id: string } | undefined, limit: number) =>
          auditPage(em(), userId, after, limit),
        async record(
          caller: Caller,
          action: AuditAction,
          target: { type: 'document' | 'topic' | 'settings'; id: string | null },
          details?: Record<string, unknown>,
        ) {
          const on = em();
          recordAudit(on, caller, action, target, details);
          await on.flush();
        },
      }),
    topics: () =>
      withDatabaseErrors({
        named: (userId: string, names: string[]) => topicsNamed(em(), userId, names),
      }),
    status: () =>
      withDatabaseErrors({
        record: (userId: string, event: NewStatusEvent) => recordStatus(em(), userId, event),
      }),
    processing: () =>
      withDatabaseErrors({
        begin: (id: string, version: number) => atomic((tx) => processing.beginProcessing(tx, id, version)),
        ruleTopics: (userId: string) => processing.ruleTopics(em(), userId),
        complete: (
          target: processing.ProcessingTarget,
          version: number,
          fields: processing.ProcessedFields,
        ) => atomic((tx) => processing.completeProcessing(tx, target, version, fields)),
        fail: (target: processing.ProcessingTarget, version: number, reason: string, sha256: string | null) =>
          atomic((tx) => processing.failProcessing(tx, target, version, reason, sha256)),
        reprocess: (userId: string, id: string) =>
          atomic((tx) => processing.requestReprocessing(tx, userId, id)),
        search: (userId: string, input: { query: string; topic?: string; limit: number; cursor?: string }) =>
          searchDocuments(rows, userId, input),
        text: (userId: string, id: string) => documentText(rows, userId, id),
        async bySha256(userId: string, sha256: string) {
          const found = await query<{ id: string }>(
            rows,
            `select id from documents where user_id = ? and sha256 = ? and status = 'ready' order by created_at, id`,
            [userId, sha256],
          );
          return found.map((row) => row.id);
        },
        suggestions: (userId: string, documentId: string) => listSuggestions(em(), userId, documentId),
        applySuggestions: (userId: string, documentId: string, accept: string[], reject: string[]) =>
          atomic((tx) => applySuggestions(tx, userId, documentId, accept, reject)),
      }),
    ai: () =>
      withDatabaseErrors({
        input: (payload: ai.ClassifyDocumentPayload) => ai.classificationInput(em(), payload),
        cached: (userId: string, key: { contentSha256: string; model: string; promptVersion: string }) =>
          ai.cachedAnswer(em(), userId, key),
        cache: (
          userId: string,
          key: { contentSha256: string; model: string; promptVersion: string },
          topicsSha256: string,
          answer: ai.CachedAnswer,
        ) => ai.cacheAnswer(em(), userId, key, topicsSha256, answer),
        saveSuggestions: (
          payload: ai.ClassifyDocumentPayload,
          answer: ai.CachedAnswer & { promptVersion: string },
          applyMode: 'review' | 'auto',
        ) => atomic((tx) => ai.saveSuggestions(tx, payload, answer, applyMode)),
        async reschedule(payload: ai.ClassifyDocumentPayload, runAt: Date) {
          await ai.enqueueClassificationIfConfigured(em(), payload, runAt);
        },
      }),
    jobs: () =>
      withDatabaseErrors({
        enqueueObjectRemoval: (payload: RemoveObjectPayload) => enqueueObjectRemoval(em(), payload),
      }),
  });
}
