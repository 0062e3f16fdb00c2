import { randomUUID } from 'node:crypto';
import { currentRequestId } from '@docstore/server-kit';
import type { EntityManager } from '@mikro-orm/postgresql';
import { AuditLog } from '../db/entities.ts';
import type { Caller } from './caller.ts';

export type AuditAction =
  | 'document.create_upload'
  | 'document.upload'
  | 'document.delete'
  | 'document.missing'
  | 'document.set_topics'
  | 'document.reprocess'
  | 'document.apply_suggestions'
  | 'topic.create'
  | 'topic.update'
  | 'topic.delete'
  | 'settings.update';

/**
 * Queues an audit row on `em`; it is written by the same flush, in the same transaction, as the
 * change it records. `details` must never hold a secret.
 */
export function recordAudit(
  em: EntityManager,
  caller: Caller,
  action: AuditAction,
  target: { type: 'document' | 'topic' | 'settings'; id: string | null },
  details: Record<string, unknown> = {},
): void {
  em.create(AuditLog, {
    id: randomUUID(),
    userId: caller.userId,
    action,
    targetType: target.type,
    targetId: target.id,
    ipAddress: caller.ip,
    details,
    requestId: currentRequestId() ?? null,
  });
}
