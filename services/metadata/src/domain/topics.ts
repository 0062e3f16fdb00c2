import { randomUUID } from 'node:crypto';
import { DocstoreError, type TopicsApi } from '@docstore/contract';
import { type EntityManager, UniqueConstraintViolationException } from '@mikro-orm/postgresql';
import { DocumentTopic, Topic } from '../db/entities.ts';
import { read } from '../store/sql.ts';
import { recordAudit } from './audit.ts';
import type { Caller } from './caller.ts';
import { normalizeTopicName } from './topic-names.ts';
import { type TopicRow, topicView } from './views.ts';

function duplicateName(name: string, error: unknown): DocstoreError {
  return new DocstoreError('CONFLICT', `a topic named "${name}" already exists`, { cause: error });
}

/**
 * The caller's topics. `root` is the root EntityManager: the fixed reads (list, counts) run on a pooled
 * connection through it, and only the calls that load or change entities fork it (once per API).
 */
export function createTopicsApi({ root, caller }: { root: EntityManager; caller: Caller }): TopicsApi {
  const { userId } = caller;
  let fork: EntityManager | undefined;
  const em = () => {
    fork ??= root.fork();
    return fork;
  };

  const findOwn = async (id: string): Promise<Topic> => {
    const topic = await em().findOne(Topic, { id, userId });
    if (!topic) throw new DocstoreError('NOT_FOUND', `topic ${id} not found`);
    return topic;
  };

  return {
    async list() {
      // Fixed SQL and plain rows: building the query and hydrating entities cost more than running it.
      const rows = await read<TopicRow>(
        root,
        `select id, name, description, color, document_count as "documentCount",
                created_at as "createdAt", updated_at as "updatedAt", match_algorithm as "matchAlgorithm",
                match_pattern as "matchPattern", match_case_sensitive as "matchCaseSensitive"
           from topics where user_id = ? order by normalized_name`,
        [userId],
      );
      return rows.map(topicView);
    },

    async get({ id }) {
      return topicView(await findOwn(id));
    },

    async create({ name, description, color, match }) {
      const id = randomUUID();
      try {
        const topic = await em().transactional(async (tx) => {
          const created = tx.create(Topic, {
            id,
            userId,
            name,
            normalizedName: normalizeTopicName(name),
            description: description ?? null,
            color: color?.toLowerCase() ?? null,
            ...(match
              ? {
                  matchAlgorithm: match.algorithm,
                  matchPattern: match.pattern,
                  matchCaseSensitive: match.caseSensitive,
                }
              : {}),
          });
          recordAudit(tx, caller, 'topic.create', { type: 'topic', id }, { name });
          return created;
        });
        return topicView(topic);
      } catch (error) {
        if (error instanceof UniqueConstraintViolationException) throw duplicateName(name, error);
        throw error;
      }
    },

    async update({ id, name, description, color, match }) {
      const topic = await findOwn(id);
      const changes: Record<string, unknown> = {};
      if (name !== undefined && name !== topic.name) {
        changes.name = { from: topic.name, to: name };
        topic.name = name;
        topic.normalizedName = normalizeTopicName(name);
      }
      if (description !== undefined) {
        changes.description = true;
        topic.description = description;
      }
      if (color !== undefined) {
        changes.color = color;
        topic.color = color?.toLowerCase() ?? null;
      }
      if (match !== undefined) {
        // Applies to documents processed from now on (reprocess a document to match it again).
        changes.match = { algorithm: match.algorithm };
        topic.matchAlgorithm = match.algorithm;
        topic.matchPattern = match.pattern;
        topic.matchCaseSensitive = match.caseSensitive;
      }
      try {
        await em().transactional(async (tx) => {
          recordAudit(tx, caller, 'topic.update', { type: 'topic', id }, changes);
        });
      } catch (error) {
        if (error instanceof UniqueConstraintViolationException) throw duplicateName(topic.name, error);
        throw error;
      }
      return topicView(topic);
    },

    async delete({ id }) {
      const topic = await findOwn(id);
      const removedFrom = await em().transactional(async (tx) => {
        // A document being deleted is already gone for its owner (its row waits for its object's removal).
        const links = await tx.count(DocumentTopic, { topic: id, document: { status: { $ne: 'deleting' } } });
        // The links go with the topic (ON DELETE CASCADE); the documents stay.
        await tx.nativeDelete(Topic, { id, userId });
        recordAudit(
          tx,
          caller,
          'topic.delete',
          { type: 'topic', id },
          { name: topic.name, removedFrom: links },
        );
        return links;
      });
      em().getUnitOfWork().unsetIdentity(topic);
      return { name: topic.name, removedFrom };
    },

    async counts() {
      const rows = await read<{ name: string; count: number }>(
        root,
        'select name, document_count as count from topics where user_id = ?',
        [userId],
      );
      return Object.fromEntries(rows.map((row) => [row.name, row.count]));
    },
  };
}
