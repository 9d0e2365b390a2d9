import { useId, useState } from 'react';
import { ApiProblem, createApi, ok } from '../api/client';
import type { Me } from '../api/client';
import { ErrorMessage } from '../components/common';
import { storeToken } from '../lib/session';

/** Sign in with an mreg token (a configured user's token or an API token); kept for this tab only. */
export function SignInPage({ onSignedIn, expired }: { next?: string | undefined; expired?: ApiProblem | undefined; onSignedIn: (token: string, me: Me) => void }) {
  const id = useId();
  const [token, setToken] = useState('');
  const [error, setError] = useState<ApiProblem | undefined>(expired);
  const [busy, setBusy] = useState(false);
  return (
    <main id="main" className="sign-in">
      <div className="card">
        <h1>Sign in to mreg</h1>
        <p>Paste a token the registry knows: a user's token from the server's settings, or an API token.</p>
        <form
          onSubmit={(event) => {
            event.preventDefault();
            const given = token.trim();
            if (!given) {
              setError(new ApiProblem(0, 'INVALID_ARGUMENT', 'enter a token'));
              return;
            }
            setBusy(true);
            ok(createApi(given).GET('/api/v1/me')).then(
              (me) => {
                storeToken(given);
                onSignedIn(given, me);
              },
              (problem: unknown) => {
                setBusy(false);
                setError(problem instanceof ApiProblem ? problem : new ApiProblem(0, 'ERROR', String(problem)));
              },
            );
          }}
        >
          <label htmlFor={id}>Token</label>
          <input id={id} type="password" autoComplete="off" value={token} onChange={(event) => setToken(event.target.value)} aria-describedby={`${id}-note`} />
          <p id={`${id}-note`} className="hint">
            The token stays in this browser tab only (session storage) and is removed when you sign out or close the tab.
          </p>
          <button type="submit" className="primary" disabled={busy}>
            {busy ? 'Signing in…' : 'Sign in'}
          </button>
        </form>
        <ErrorMessage error={error} title="Not signed in" />
      </div>
    </main>
  );
}
