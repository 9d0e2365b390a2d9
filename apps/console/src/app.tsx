import { useCallback, useEffect, useMemo, useState } from 'react';
import { ApiProblem, createApi, ok } from './api/client';
import type { Me } from './api/client';
import { ErrorMessage } from './components/common';
import { Link, navigate, useRoute } from './lib/navigation';
import { href } from './lib/routes';
import type { Route } from './lib/routes';
import { SessionContext, clearToken, storedToken } from './lib/session';
import type { Session } from './lib/session';
import { ApprovalsPage } from './pages/approvals';
import { AuditPage } from './pages/audit';
import { CatalogPage } from './pages/catalog';
import { ComparePage } from './pages/compare';
import { ModelPage } from './pages/model';
import { SignInPage } from './pages/sign-in';
import { VersionPage } from './pages/version';
import { VersionSearchPage } from './pages/version-search';

const TITLES: Record<Route['page'], string> = {
  'sign-in': 'Sign in',
  catalog: 'Models',
  versions: 'Version search',
  model: 'Model',
  version: 'Version',
  compare: 'Compare versions',
  approvals: 'Approvals',
  audit: 'Audit',
  'not-found': 'Not found',
};

function Page({ route }: { route: Route }) {
  switch (route.page) {
    case 'catalog':
      return <CatalogPage query={route.query} />;
    case 'versions':
      return <VersionSearchPage query={route.query} />;
    case 'model':
      return <ModelPage name={route.model} query={route.query} />;
    case 'version':
      return <VersionPage name={route.model} version={route.version} query={route.query} />;
    case 'compare':
      return <ComparePage query={route.query} />;
    case 'approvals':
      return <ApprovalsPage />;
    case 'audit':
      return <AuditPage query={route.query} />;
    case 'sign-in':
      return null;
    case 'not-found':
      return (
        <div className="card">
          <h1>Not found</h1>
          <p>
            The console has no page at <code>{route.path}</code>. <Link to={href.catalog()}>Go to the models</Link>.
          </p>
        </div>
      );
  }
}

const NAV: { page: Route['page']; to: string; label: string }[] = [
  { page: 'catalog', to: href.catalog(), label: 'Models' },
  { page: 'versions', to: href.versions(), label: 'Versions' },
  { page: 'compare', to: '/compare', label: 'Compare' },
  { page: 'approvals', to: href.approvals(), label: 'Approvals' },
  { page: 'audit', to: href.audit(), label: 'Audit' },
];

/** The signed-in frame: navigation, who is signed in with which roles, sign out. */
function Shell({ session, route }: { session: Session; route: Route }) {
  const current = route.page === 'model' || route.page === 'version' ? 'catalog' : route.page;
  return (
    <>
      <a className="skip" href="#main">
        Skip to content
      </a>
      <header className="top">
        <Link to={href.catalog()} className="brand">
          mreg
        </Link>
        <nav aria-label="Main">
          <ul>
            {NAV.map((item) => (
              <li key={item.page}>
                <Link to={item.to} aria-current={current === item.page ? 'page' : undefined}>
                  {item.label}
                </Link>
              </li>
            ))}
          </ul>
        </nav>
        <div className="who">
          {session.me ? (
            <span>
              Signed in as <strong data-testid="user">{session.me.user}</strong> <span className="roles">({session.me.roles.join(', ') || 'no role'})</span>
            </span>
          ) : (
            <span role="status">Checking your token…</span>
          )}
          <button type="button" onClick={session.signOut}>
            Sign out
          </button>
        </div>
      </header>
      <main id="main" tabIndex={-1}>
        <Page route={route} />
      </main>
    </>
  );
}

export function App() {
  const { route, location } = useRoute();
  const [token, setToken] = useState(storedToken);
  const [me, setMe] = useState<{ token: string; me: Me } | undefined>();
  const [error, setError] = useState<ApiProblem | undefined>();
  // A token the registry stops accepting (it expired, or was revoked) ends the session: back to sign-in, which
  // returns to this page. Only the token in use: a late answer to a token signed out of changes nothing.
  const refused = useCallback((refusedToken: string, problem: ApiProblem) => {
    if (storedToken() !== refusedToken) return;
    clearToken();
    setToken(undefined);
    setMe(undefined);
    setError(problem);
  }, []);
  const api = useMemo(() => (token ? createApi(token, undefined, (problem) => refused(token, problem)) : undefined), [token, refused]);

  useEffect(() => {
    document.title = `${TITLES[route.page]} · mreg`;
  }, [route.page, location]);

  // Who the token belongs to (GET /api/v1/me): a token that no longer works sends the user back to sign in.
  useEffect(() => {
    if (!api || !token || me?.token === token) return;
    let live = true;
    ok(api.GET('/api/v1/me')).then(
      (who) => live && setMe({ token, me: who }),
      (problem: unknown) => {
        if (!live) return;
        // A 401 has ended the session already (the client's refusal hook).
        if (!(problem instanceof ApiProblem && problem.status === 401)) setError(problem instanceof ApiProblem ? problem : new ApiProblem(0, 'ERROR', String(problem)));
      },
    );
    return () => {
      live = false;
    };
  }, [api, token, me]);

  // A sign-in by token or by the provider (whose answer names where the person was going).
  const signedIn = useCallback((given: string, who: Me, next?: string) => {
    setError(undefined);
    setMe({ token: given, me: who });
    setToken(given);
    navigate(next && !next.startsWith('/sign-in') ? next : href.catalog(), { replace: true });
  }, []);

  const signOut = () => {
    clearToken();
    setToken(undefined);
    setMe(undefined);
    navigate(href.signIn(), { replace: true });
  };

  if (!token || !api) {
    const next = route.page === 'sign-in' ? route.next : location;
    return <SignInPage next={next} query={route.page === 'sign-in' ? route.query : new URLSearchParams()} expired={error} onSignedIn={signedIn} />;
  }
  // The page loads while `/me` is on its way (two round trips side by side, not one after the other).
  const known = me?.token === token ? me.me : undefined;
  if (!known && error) {
    return (
      <main id="main">
        <ErrorMessage error={error} title="Could not check the token" />
      </main>
    );
  }
  if (route.page === 'sign-in') {
    navigate(route.next ?? href.catalog(), { replace: true });
    return null;
  }
  const session = { api, me: known, signOut };
  return (
    <SessionContext.Provider value={session}>
      <Shell session={session} route={route} />
    </SessionContext.Provider>
  );
}
