/** A small HTTP client for end-to-end tests: real requests over the network to a running registry. */
export interface Target {
  readonly url: string;
  /** user name → bearer token */
  readonly tokens: Readonly<Record<string, string>>;
}

export interface Reply<T = unknown> {
  readonly status: number;
  readonly headers: Headers;
  readonly body: T;
  readonly text: string;
}

export type Json = Record<string, unknown>;

export class RegistryClient {
  constructor(
    private readonly target: Target,
    private readonly user?: string,
  ) {}

  as(user: string): RegistryClient {
    if (!(user in this.target.tokens)) throw new Error(`no token for ${user}`);
    return new RegistryClient(this.target, user);
  }

  /** The bearer token of a user of the cast (for clients that send it their own way, e.g. basic auth). */
  tokenOf(user: string): string {
    const token = this.target.tokens[user];
    if (token === undefined) throw new Error(`no token for ${user}`);
    return token;
  }

  anonymous(): RegistryClient {
    return new RegistryClient(this.target);
  }

  get url(): string {
    return this.target.url;
  }

  async request<T = Json>(method: string, path: string, options: { json?: unknown; body?: NonNullable<RequestInit['body']>; headers?: Record<string, string> } = {}): Promise<Reply<T>> {
    const headers: Record<string, string> = { ...(options.headers ?? {}) };
    if (this.user) headers['authorization'] = `Bearer ${this.target.tokens[this.user]}`;
    let body: NonNullable<RequestInit['body']> | undefined = options.body;
    if (options.json !== undefined) {
      headers['content-type'] ??= 'application/json';
      body = typeof options.json === 'string' ? options.json : JSON.stringify(options.json);
    }
    const response = await fetch(`${this.target.url}${path}`, { method, headers, ...(body !== undefined ? { body, duplex: 'half' } : {}) });
    const text = await response.text();
    let parsed: unknown = text;
    if ((response.headers.get('content-type') ?? '').includes('json') && text.length > 0) parsed = JSON.parse(text);
    return { status: response.status, headers: response.headers, body: parsed as T, text };
  }

  get<T = Json>(path: string, headers?: Record<string, string>) {
    return this.request<T>('GET', path, headers ? { headers } : {});
  }
  post<T = Json>(path: string, json?: unknown) {
    return this.request<T>('POST', path, json === undefined ? {} : { json });
  }
  put<T = Json>(path: string, json?: unknown) {
    return this.request<T>('PUT', path, json === undefined ? {} : { json });
  }
  patch<T = Json>(path: string, json?: unknown) {
    return this.request<T>('PATCH', path, json === undefined ? {} : { json });
  }
  delete<T = Json>(path: string) {
    return this.request<T>('DELETE', path);
  }
}

/** Tokens for the standard cast of the scenarios. */
export const CAST = {
  admin: { token: 'admin-token-0123456789abcdef', user: 'root', roles: ['admin'] },
  alice: { token: 'alice-token-0123456789abcdef', user: 'alice', roles: ['contributor'] },
  bob: { token: 'bob-token-0123456789abcdef00', user: 'bob', roles: ['approver'] },
  carol: { token: 'carol-token-0123456789abcdef', user: 'carol', roles: ['reader'] },
  dave: { token: 'dave-token-0123456789abcdef0', user: 'dave', roles: ['approver', 'contributor'] },
  // A member of the risk team: grants to group:risk-team reach her.
  erin: { token: 'erin-token-0123456789abcdef0', user: 'erin', roles: ['contributor'], groups: ['risk-team'] },
} as const;

export function castTokensJson(): string {
  return JSON.stringify(Object.fromEntries(Object.values(CAST).map((c) => [c.token, { user: c.user, roles: c.roles, ...('groups' in c ? { groups: c.groups } : {}) }])));
}

export function castTarget(url: string): Target {
  return { url, tokens: Object.fromEntries(Object.entries(CAST).map(([name, c]) => [name, c.token])) };
}

let counter = 0;
/** A model name unique to this test run (scenarios share one registry). */
export function uniqueName(prefix = 'model'): string {
  counter += 1;
  return `${prefix}-${process.pid}-${Date.now().toString(36)}-${counter}`;
}
