import type { DocumentView } from '@docstore/contract';
import { useCallback, useEffect, useMemo, useState } from 'preact/hooks';
import { type Api, connectApi } from './api.ts';
import { appCode, describeError } from './errors.ts';
import { Library } from './library.tsx';
import { forgetToken, initialToken, saveToken } from './session.ts';
import { SettingsPage } from './settings-page.tsx';
import { SignIn } from './sign-in.tsx';
import { TopicsPage } from './topics-page.tsx';
import { useTopics } from './topics-store.ts';
import { UploadPanel } from './upload-panel.tsx';
import { UploadQueue } from './uploads.ts';

type View = 'library' | 'topics' | 'settings';

export function App() {
  const [token, setToken] = useState<string | null>(initialToken);
  const [signInError, setSignInError] = useState<string | null>(null);
  const [api, setApi] = useState<Api | null>(null);

  const signOut = useCallback((reason: string | null) => {
    forgetToken();
    setToken(null);
    setSignInError(reason);
  }, []);

  // A token is checked with one cheap call before the page shows anything of the library.
  useEffect(() => {
    if (!token) return;
    const connected = connectApi(token, () => signOut('Your sign-in expired: sign in again.'));
    let live = true;
    connected.client.settings.get
      .query()
      .then(() => live && setApi(connected))
      .catch((error: unknown) => {
        connected.close();
        if (!live) return;
        signOut(
          appCode(error) === 'UNAUTHORIZED'
            ? 'That token is not valid or has expired.'
            : describeError(error),
        );
      });
    return () => {
      live = false;
      setApi(null);
      connected.close();
    };
  }, [token, signOut]);

  if (!token) {
    return (
      <SignIn
        error={signInError}
        onToken={(value) => {
          saveToken(value);
          setSignInError(null);
          setToken(value);
        }}
      />
    );
  }
  if (!api) return <p class="hint loading">Signing in…</p>;
  return <SignedIn api={api} onSignOut={() => signOut(null)} />;
}

function SignedIn(props: { api: Api; onSignOut(): void }) {
  const { api } = props;
  const [view, setView] = useState<View>('library');
  const topics = useTopics(api);
  const queue = useMemo(() => new UploadQueue(api), [api]);
  useEffect(() => api.onStatus((event) => queue.onStatus(event)), [api, queue]);
  const adopt = useCallback((documents: DocumentView[]) => queue.adopt(documents), [queue]);

  const tab = (name: View, label: string) => (
    <button type="button" aria-current={view === name ? 'page' : undefined} onClick={() => setView(name)}>
      {label}
    </button>
  );
  return (
    <>
      <header>
        <h1>docstore</h1>
        <nav aria-label="Main">
          {tab('library', 'Library')}
          {tab('topics', 'Topics')}
          {tab('settings', 'Settings')}
        </nav>
        <button type="button" class="link" onClick={props.onSignOut}>
          Sign out
        </button>
      </header>
      <main>
        {topics.error && (
          <p role="alert" class="error">
            {topics.error}
          </p>
        )}
        {view === 'library' && (
          <>
            <UploadPanel queue={queue} topics={topics.topics} />
            <Library api={api} topics={topics.topics} onPending={adopt} onChange={topics.refresh} />
          </>
        )}
        {view === 'topics' && <TopicsPage api={api} topics={topics.topics} onChange={topics.refresh} />}
        {view === 'settings' && <SettingsPage api={api} />}
      </main>
    </>
  );
}
