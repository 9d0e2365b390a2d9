// Every page has a stable URL (history routing; the server answers any console path with the app): what the
// page shows is in its path and query, so a link shared is the same view.

export type Route =
  | { readonly page: 'sign-in'; readonly next?: string; readonly query: URLSearchParams }
  | { readonly page: 'catalog'; readonly query: URLSearchParams }
  | { readonly page: 'versions'; readonly query: URLSearchParams }
  | { readonly page: 'model'; readonly model: string; readonly query: URLSearchParams }
  | { readonly page: 'version'; readonly model: string; readonly version: number; readonly query: URLSearchParams }
  | { readonly page: 'compare'; readonly query: URLSearchParams }
  | { readonly page: 'approvals'; readonly query: URLSearchParams }
  | { readonly page: 'audit'; readonly query: URLSearchParams }
  | { readonly page: 'not-found'; readonly path: string };

function decode(segment: string): string | undefined {
  try {
    return decodeURIComponent(segment);
  } catch {
    return undefined;
  }
}

/** The page a path and query string name. */
export function routeOf(pathname: string, search: string): Route {
  const query = new URLSearchParams(search);
  const parts = pathname.split('/').filter((p) => p.length > 0);
  const [first, second, third, fourth] = parts;
  if (parts.length === 0) return { page: 'catalog', query };
  if (first === 'sign-in' && parts.length === 1) {
    const next = query.get('next');
    return next && next.startsWith('/') && !next.startsWith('//') ? { page: 'sign-in', next, query } : { page: 'sign-in', query };
  }
  if (first === 'models' && parts.length === 1) return { page: 'catalog', query };
  if (first === 'versions' && parts.length === 1) return { page: 'versions', query };
  if (first === 'compare' && parts.length === 1) return { page: 'compare', query };
  if (first === 'approvals' && parts.length === 1) return { page: 'approvals', query };
  if (first === 'audit' && parts.length === 1) return { page: 'audit', query };
  if (first === 'models' && second !== undefined) {
    const model = decode(second);
    if (model === undefined) return { page: 'not-found', path: pathname };
    if (parts.length === 2) return { page: 'model', model, query };
    const version = Number(fourth);
    if (third === 'versions' && parts.length === 4 && Number.isSafeInteger(version) && version > 0) return { page: 'version', model, version, query };
  }
  return { page: 'not-found', path: pathname };
}

const withQuery = (path: string, query?: Record<string, string | readonly string[] | undefined>) => {
  const params = new URLSearchParams();
  for (const [key, value] of Object.entries(query ?? {})) {
    if (value === undefined) continue;
    for (const one of typeof value === 'string' ? [value] : value) if (one !== '') params.append(key, one);
  }
  const text = params.toString();
  return text ? `${path}?${text}` : path;
};

export const href = {
  catalog: (query?: Record<string, string | readonly string[] | undefined>) => withQuery('/models', query),
  versions: (query?: Record<string, string | undefined>) => withQuery('/versions', query),
  model: (model: string, query?: Record<string, string | undefined>) => withQuery(`/models/${encodeURIComponent(model)}`, query),
  version: (model: string, version: number, query?: Record<string, string | undefined>) => withQuery(`/models/${encodeURIComponent(model)}/versions/${version}`, query),
  compare: (refs: readonly { model: string; version: number }[]) => withQuery('/compare', { v: refs.map((r) => `${r.model}@${r.version}`) }),
  approvals: () => '/approvals',
  audit: (query?: Record<string, string | undefined>) => withQuery('/audit', query),
  signIn: (next?: string) => withQuery('/sign-in', { next }),
};
