const TOKEN_KEY = 'songswipe.access_token';

/**
 * Browser only: the signed-in user's access token, taken from the URL
 * fragment `#access_token=…` (then kept in sessionStorage) or from
 * sessionStorage. Fragments never reach the server or its logs.
 * @returns the token, or null when the user has not signed in in this tab.
 */
export function readAccessToken(): string | null {
  const hash = new URLSearchParams(window.location.hash.slice(1));
  const fromHash = hash.get('access_token');
  if (fromHash) {
    sessionStorage.setItem(TOKEN_KEY, fromHash);
    // keep the token out of the address bar, history and screenshots
    history.replaceState(null, '', window.location.pathname);
    return fromHash;
  }
  return sessionStorage.getItem(TOKEN_KEY);
}
