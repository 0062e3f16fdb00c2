/**
 * The access token lives in this tab's sessionStorage only. It arrives in the URL fragment
 * (`#token=…`), which browsers never send to a server, and is removed from the address bar at once so
 * that it is not bookmarked, shared or kept in history.
 */
const KEY = 'docstore.token';

/** A token brought in the fragment, stored and wiped from the URL; else the one stored earlier. */
export function initialToken(): string | null {
  const match = /^#token=([^&]+)/.exec(location.hash);
  if (match?.[1]) {
    history.replaceState(null, '', location.pathname + location.search);
    const token = decodeURIComponent(match[1]);
    sessionStorage.setItem(KEY, token);
    return token;
  }
  return sessionStorage.getItem(KEY);
}

export function saveToken(token: string): void {
  sessionStorage.setItem(KEY, token);
}

export function forgetToken(): void {
  sessionStorage.removeItem(KEY);
}
