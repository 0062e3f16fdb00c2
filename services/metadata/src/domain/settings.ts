import type { SettingsApi, SettingsView } from '@docstore/contract';
import type { SettingsRow, Store } from '../store/store.ts';
import type { Caller } from './caller.ts';
import { maskSecret, type SecretBox } from './secret-box.ts';

export function createSettingsApi(deps: { store: Store; caller: Caller; secrets: SecretBox }): SettingsApi {
  const { store, caller, secrets } = deps;

  const view = (settings: SettingsRow | null): SettingsView => ({
    aiProvider: settings?.aiProvider ?? null,
    aiModel: settings?.aiModel ?? null,
    apiKey: settings?.apiKeyCiphertext ? maskSecret(secrets.open(settings.apiKeyCiphertext)) : null,
    updatedAt: settings?.updatedAt.toISOString() ?? null,
    aiBaseUrl: settings?.aiBaseUrl ?? null,
    aiApplyMode: settings?.aiApplyMode ?? 'review',
    aiNewTopics: settings?.aiNewTopics ?? false,
  });

  return {
    async get() {
      return view(await store.settings.find(caller.userId));
    },

    async update({ aiProvider, aiModel, apiKey, aiBaseUrl, aiApplyMode, aiNewTopics }) {
      const settings = await store.settings.save(
        caller,
        {
          aiProvider,
          aiModel,
          apiKeyCiphertext: apiKey === undefined ? undefined : apiKey === null ? null : secrets.seal(apiKey),
          aiBaseUrl,
          aiApplyMode,
          aiNewTopics,
        },
        {
          action: 'settings.update',
          details: {
            aiProvider: aiProvider !== undefined,
            aiModel: aiModel !== undefined,
            apiKey: apiKey === undefined ? 'kept' : apiKey === null ? 'cleared' : 'replaced',
            ...(aiBaseUrl === undefined ? {} : { aiBaseUrl: true }),
            ...(aiApplyMode === undefined ? {} : { aiApplyMode }),
            ...(aiNewTopics === undefined ? {} : { aiNewTopics }),
          },
        },
      );
      return view(settings);
    },
  };
}
