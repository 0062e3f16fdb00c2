import type { EntityManager, FilterQuery } from '@mikro-orm/postgresql';
import { AuditLog, UserSettings } from '../db/entities.ts';
import { type AuditAction, recordAudit } from '../domain/audit.ts';
import type { Caller } from '../domain/caller.ts';

/** A user's settings row as stored: the API key only ever as ciphertext. */
export interface SettingsRow {
  aiProvider: string | null;
  aiModel: string | null;
  apiKeyCiphertext: string | null;
  updatedAt: Date;
  aiBaseUrl: string | null;
  aiApplyMode: 'review' | 'auto';
  aiNewTopics: boolean;
}

export interface SettingsChanges {
  aiProvider?: string | null;
  aiModel?: string | null;
  /** Omitted: kept; null: cleared; else the new ciphertext (sealed by the domain). */
  apiKeyCiphertext?: string | null;
  aiBaseUrl?: string | null;
  aiApplyMode?: 'review' | 'auto';
  aiNewTopics?: boolean;
}

const toSettingsRow = (row: UserSettings): SettingsRow => ({
  aiProvider: row.aiProvider ?? null,
  aiModel: row.aiModel ?? null,
  apiKeyCiphertext: row.apiKeyCiphertext ?? null,
  updatedAt: row.updatedAt,
  aiBaseUrl: row.aiBaseUrl ?? null,
  aiApplyMode: row.aiApplyMode ?? 'review',
  aiNewTopics: row.aiNewTopics ?? false,
});

export async function findSettings(em: EntityManager, userId: string): Promise<SettingsRow | null> {
  const row = await em.findOne(UserSettings, { userId });
  return row ? toSettingsRow(row) : null;
}

/** Creates or changes the row, with its audit entry, in the caller's transaction. */
export async function saveSettings(
  em: EntityManager,
  caller: Caller,
  changes: SettingsChanges,
  audit: { action: AuditAction; details: Record<string, unknown> },
): Promise<SettingsRow> {
  const row =
    (await em.findOne(UserSettings, { userId: caller.userId })) ??
    em.create(UserSettings, {
      userId: caller.userId,
      aiProvider: null,
      aiModel: null,
      apiKeyCiphertext: null,
    });
  if (changes.aiProvider !== undefined) row.aiProvider = changes.aiProvider;
  if (changes.aiModel !== undefined) row.aiModel = changes.aiModel;
  if (changes.apiKeyCiphertext !== undefined) row.apiKeyCiphertext = changes.apiKeyCiphertext;
  if (changes.aiBaseUrl !== undefined) row.aiBaseUrl = changes.aiBaseUrl;
  if (changes.aiApplyMode !== undefined) row.aiApplyMode = changes.aiApplyMode;
  if (changes.aiNewTopics !== undefined) row.aiNewTopics = changes.aiNewTopics;
  // Force updatedAt even when only the key changed to the same value: the user did save.
  row.updatedAt = new Date();
  recordAudit(em, caller, audit.action, { type: 'settings', id: caller.userId }, audit.details);
  await em.flush();
  return toSettingsRow(row);
}

export interface AuditRow {
  id: string;
  action: string;
  targetType: string;
  targetId: string | null;
  ipAddress: string | null;
  details: Record<string, unknown> | null;
  at: Date;
}

/** The user's audit entries newest first after the keyset `after`; `limit` rows. */
export async function auditPage(
  em: EntityManager,
  userId: string,
  after: { at: Date; id: string } | undefined,
  limit: number,
): Promise<AuditRow[]> {
  const where: FilterQuery<AuditLog> = { userId };
  if (after !== undefined) {
    where.$or = [{ at: { $lt: after.at } }, { at: after.at, id: { $lt: after.id } }];
  }
  const rows = await em.find(AuditLog, where, { orderBy: { at: 'desc', id: 'desc' }, limit });
  return rows.map((entry) => ({
    id: entry.id,
    action: entry.action,
    targetType: entry.targetType,
    targetId: entry.targetId ?? null,
    ipAddress: entry.ipAddress ?? null,
    details: entry.details ?? null,
    at: entry.at,
  }));
}
