import type { SettingsView } from '@docstore/contract';
import { useEffect, useState } from 'preact/hooks';
import type { Api } from './api.ts';
import { describeError } from './errors.ts';

/** The AI settings; the API key is only ever shown masked, as the server returns it. */
export function SettingsPage(props: { api: Api }) {
  const { api } = props;
  const [settings, setSettings] = useState<SettingsView | null>(null);
  const [provider, setProvider] = useState('');
  const [model, setModel] = useState('');
  const [apiKey, setApiKey] = useState('');
  const [error, setError] = useState<string | null>(null);
  const [notice, setNotice] = useState<string | null>(null);
  const show = (view: SettingsView) => {
    setSettings(view);
    setProvider(view.aiProvider ?? '');
    setModel(view.aiModel ?? '');
    setApiKey('');
  };
  useEffect(() => {
    api.client.settings.get
      .query()
      .then(show)
      .catch((cause: unknown) => setError(describeError(cause)));
  }, [api]);

  return (
    <section aria-labelledby="settings-title">
      <h2 id="settings-title">Settings</h2>
      {error && (
        <p role="alert" class="error">
          {error}
        </p>
      )}
      {settings && (
        <form
          class="settings"
          onSubmit={(event) => {
            event.preventDefault();
            setError(null);
            setNotice(null);
            api.client.settings.update
              .mutate({
                aiProvider: provider.trim() || null,
                aiModel: model.trim() || null,
                ...(apiKey ? { apiKey } : {}),
              })
              .then((view) => {
                show(view);
                setNotice('Settings saved.');
              })
              .catch((cause: unknown) => setError(describeError(cause)));
          }}
        >
          <label for="ai-provider">AI provider</label>
          <input id="ai-provider" value={provider} onInput={(e) => setProvider(e.currentTarget.value)} />
          <label for="ai-model">AI model</label>
          <input id="ai-model" value={model} onInput={(e) => setModel(e.currentTarget.value)} />
          <p>
            API key: <span data-testid="api-key">{settings.apiKey ?? 'not set'}</span>
          </p>
          <label for="api-key">New API key (leave empty to keep the current one)</label>
          <input
            id="api-key"
            type="password"
            autocomplete="off"
            value={apiKey}
            onInput={(e) => setApiKey(e.currentTarget.value)}
          />
          <button type="submit">Save settings</button>
          {notice && <p role="status">{notice}</p>}
        </form>
      )}
    </section>
  );
}
