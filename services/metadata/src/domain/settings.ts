import type { SettingsApi, SettingsView } from '@docstore/contract';
import type { EntityManager } from '@mikro-orm/postgresql';
import { UserSettings } from '../db/entities.ts';
import { recordAudit } from './audit.ts';
import type { Caller } from './caller.ts';
import { maskSecret, type SecretBox } from './secret-box.ts';

export function createSettingsApi(deps: {
  em: EntityManager;
  caller: Caller;
  secrets: SecretBox;
}): SettingsApi {
  const { em, caller, secrets } = deps;

  const view = (settings: UserSettings | null): SettingsView => ({
    aiProvider: settings?.aiProvider ?? null,
    aiModel: settings?.aiModel ?? null,
    apiKey: settings?.apiKeyCiphertext ? maskSecret(secrets.open(settings.apiKeyCiphertext)) : null,
    updatedAt: settings?.updatedAt.toISOString() ?? null,
  });

  return {
    async get() {
      return view(await em.findOne(UserSettings, { userId: caller.userId }));
    },

    async update({ aiProvider, aiModel, apiKey }) {
      const settings = await em.transactional(async (tx) => {
        const row =
          (await tx.findOne(UserSettings, { userId: caller.userId })) ??
          tx.create(UserSettings, {
            userId: caller.userId,
            aiProvider: null,
            aiModel: null,
            apiKeyCiphertext: null,
          });
        if (aiProvider !== undefined) row.aiProvider = aiProvider;
        if (aiModel !== undefined) row.aiModel = aiModel;
        if (apiKey !== undefined) row.apiKeyCiphertext = apiKey === null ? null : secrets.seal(apiKey);
        // Force updatedAt even when only the key changed to the same value: the user did save.
        row.updatedAt = new Date();
        recordAudit(
          tx,
          caller,
          'settings.update',
          { type: 'settings', id: caller.userId },
          {
            aiProvider: aiProvider !== undefined,
            aiModel: aiModel !== undefined,
            apiKey: apiKey === undefined ? 'kept' : apiKey === null ? 'cleared' : 'replaced',
          },
        );
        return row;
      });
      return view(settings);
    },
  };
}
