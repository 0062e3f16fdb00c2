import { useState } from 'preact/hooks';

/** Sign-in with an access token; `pnpm start` prints a link that brings one in the URL fragment. */
export function SignIn(props: { error: string | null; onToken(token: string): void }) {
  const [token, setToken] = useState('');
  return (
    <main class="sign-in">
      <h1>docstore</h1>
      <p>
        Sign in with an access token. For the dev stack, open the sign-in link that <code>pnpm start</code>{' '}
        prints.
      </p>
      <form
        onSubmit={(event) => {
          event.preventDefault();
          if (token.trim()) props.onToken(token.trim());
        }}
      >
        <label for="token">Access token</label>
        <input
          id="token"
          type="password"
          autocomplete="off"
          value={token}
          onInput={(event) => setToken(event.currentTarget.value)}
          required
        />
        <button type="submit">Sign in</button>
      </form>
      {props.error && (
        <p role="alert" class="error">
          {props.error}
        </p>
      )}
    </main>
  );
}
