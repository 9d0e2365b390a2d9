import { useEffect, useId, useRef, useState } from 'react';
import { ApiProblem, createApi, ok } from '../api/client';
import type { Me, SignInOptions } from '../api/client';
import { ErrorMessage } from '../components/common';
import { storeToken } from '../lib/session';
import { beginSignIn, isProviderAnswer, resumeSignIn } from '../lib/single-sign-on';

const asProblem = (problem: unknown) => (problem instanceof ApiProblem ? problem : new ApiProblem(0, 'ERROR', problem instanceof Error ? problem.message : String(problem)));

/** Who a token is, then keep it for this tab and go on. */
async function signInWith(token: string): Promise<Me> {
  const me = await ok(createApi(token).GET('/api/v1/me'));
  storeToken(token);
  return me;
}

/**
 * Sign in with single sign-on (when the registry has a provider for the console) or with an mreg token (a
 * configured user's token or an API token); either is kept for this tab only. The provider sends the browser back
 * here with a code, which the registry exchanges (decision 36).
 */
export function SignInPage({ next, query, onSignedIn, expired }: { next?: string | undefined; query: URLSearchParams; expired?: ApiProblem | undefined; onSignedIn: (token: string, me: Me, next?: string) => void }) {
  const id = useId();
  const [token, setToken] = useState('');
  const [error, setError] = useState<ApiProblem | undefined>(expired);
  const [busy, setBusy] = useState(false);
  const [options, setOptions] = useState<SignInOptions | undefined>();
  const answered = isProviderAnswer(query);
  const resumed = useRef(false);

  useEffect(() => {
    let live = true;
    ok(createApi(undefined).GET('/api/v1/sign-in')).then(
      (found) => live && setOptions(found),
      () => live && setOptions({ methods: ['token'] }),
    );
    return () => {
      live = false;
    };
  }, []);

  // Back from the provider: exchange the code (once: the verifier is forgotten as it is used).
  useEffect(() => {
    if (!answered || resumed.current) return;
    resumed.current = true;
    // The code leaves the address bar and the history at once.
    window.history.replaceState(null, '', '/sign-in');
    let sign: ReturnType<typeof resumeSignIn>;
    try {
      sign = resumeSignIn(query);
    } catch (problem) {
      setError(asProblem(problem));
      return;
    }
    setBusy(true);
    ok(createApi(undefined).POST('/api/v1/sign-in/token', { body: { code: sign.code, codeVerifier: sign.codeVerifier, redirectUri: sign.redirectUri } }))
      .then(async (signedIn) => onSignedIn(signedIn.accessToken, await signInWith(signedIn.accessToken), sign.next))
      .catch((problem: unknown) => {
        setBusy(false);
        setError(asProblem(problem));
      });
  }, [answered, query, onSignedIn]);

  const sso = options?.singleSignOn;
  return (
    <main id="main" className="sign-in">
      <div className="card">
        <h1>Sign in to mreg</h1>
        {sso ? (
          <>
            <button
              type="button"
              className="primary sso"
              disabled={busy}
              onClick={() => {
                setBusy(true);
                beginSignIn(sso, window.location.origin, next).then(
                  (url) => window.location.assign(url),
                  (problem: unknown) => {
                    setBusy(false);
                    setError(asProblem(problem));
                  },
                );
              }}
            >
              Sign in with single sign-on
            </button>
            <p className="hint">
              Through your organisation's identity provider (<span>{new URL(sso.issuer).host}</span>).
            </p>
            <h2 className="or">or with a token</h2>
          </>
        ) : null}
        {options?.singleSignOnUnavailable ? <p className="hint">Single sign-on is unavailable right now: {options.singleSignOnUnavailable}</p> : null}
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
            signInWith(given).then(
              (me) => onSignedIn(given, me, next),
              (problem: unknown) => {
                setBusy(false);
                setError(asProblem(problem));
              },
            );
          }}
        >
          <label htmlFor={id}>Token</label>
          <input id={id} type="password" autoComplete="off" value={token} onChange={(event) => setToken(event.target.value)} aria-describedby={`${id}-note`} />
          <p id={`${id}-note`} className="hint">
            The token stays in this browser tab only (session storage) and is removed when you sign out or close the tab.
          </p>
          <button type="submit" className={sso ? undefined : 'primary'} disabled={busy}>
            {busy ? 'Signing in…' : 'Sign in'}
          </button>
        </form>
        <ErrorMessage error={error} title="Not signed in" />
      </div>
    </main>
  );
}
