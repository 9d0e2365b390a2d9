import { beginSignIn, challengeOf, isProviderAnswer, resumeSignIn } from './single-sign-on';

/** A tab's session storage. */
class TabStorage implements Storage {
  private readonly items = new Map<string, string>();
  get length(): number {
    return this.items.size;
  }
  clear(): void {
    this.items.clear();
  }
  getItem(key: string): string | null {
    return this.items.get(key) ?? null;
  }
  key(index: number): string | null {
    return [...this.items.keys()][index] ?? null;
  }
  removeItem(key: string): void {
    this.items.delete(key);
  }
  setItem(key: string, value: string): void {
    this.items.set(key, value);
  }
}

const OPTIONS = { issuer: 'https://id.example.com', authorizationEndpoint: 'https://id.example.com/authorize?tenant=x', clientId: 'mreg-console', scope: 'openid profile', resource: 'https://mreg.example.com/api' };
const ORIGIN = 'https://mreg.example.com';

describe('single sign-on (authorization code with PKCE)', () => {
  it('computes the S256 challenge of RFC 7636 appendix B', async () => {
    expect(await challengeOf('dBjftJeZ4CVP-mB92K27uhbUJU1p1r_wW1gFWFOEjXk')).toBe('E9Melhoa2OwvFrEMTJguCHaoeK1t8URWbuGJSstw-cM');
  });

  it('sends the browser to the provider with a fresh state and a challenge of a verifier it keeps for this tab', async () => {
    const storage = new TabStorage();
    const url = new URL(await beginSignIn(OPTIONS, ORIGIN, '/approvals', storage));
    expect(url.origin + url.pathname).toBe('https://id.example.com/authorize');
    expect(url.searchParams.get('tenant')).toBe('x');
    expect(Object.fromEntries([...url.searchParams].filter(([k]) => !['state', 'code_challenge'].includes(k)))).toEqual({
      tenant: 'x',
      response_type: 'code',
      client_id: 'mreg-console',
      redirect_uri: 'https://mreg.example.com/sign-in',
      scope: 'openid profile',
      code_challenge_method: 'S256',
      resource: 'https://mreg.example.com/api',
    });
    const state = url.searchParams.get('state') ?? '';
    expect(state).toMatch(/^[A-Za-z0-9_-]{43}$/);
    const resumed = resumeSignIn(new URLSearchParams({ code: 'the-code', state }), storage);
    expect(resumed).toMatchObject({ code: 'the-code', redirectUri: 'https://mreg.example.com/sign-in', next: '/approvals' });
    expect(resumed.codeVerifier).toMatch(/^[A-Za-z0-9_-]{43,128}$/);
    expect(url.searchParams.get('code_challenge')).toBe(await challengeOf(resumed.codeVerifier));
    // Another sign-in gets another state and verifier.
    const again = new URL(await beginSignIn(OPTIONS, ORIGIN, undefined, storage));
    expect(again.searchParams.get('state')).not.toBe(state);
  });

  it('resumes a sign-in once, with its own state only, and not after 15 minutes', async () => {
    const storage = new TabStorage();
    const state = new URL(await beginSignIn(OPTIONS, ORIGIN, undefined, storage)).searchParams.get('state') ?? '';
    expect(() => resumeSignIn(new URLSearchParams({ code: 'c', state: 'forged' }), storage)).toThrow('not started in this tab');
    // A wrong state forgets the pending sign-in too: it cannot be tried again.
    expect(() => resumeSignIn(new URLSearchParams({ code: 'c', state }), storage)).toThrow('not started in this tab');

    const late = new TabStorage();
    const lateState = new URL(await beginSignIn(OPTIONS, ORIGIN, undefined, late)).searchParams.get('state') ?? '';
    expect(() => resumeSignIn(new URLSearchParams({ code: 'c', state: lateState }), late, Date.now() + 16 * 60 * 1000)).toThrow('took too long');

    const used = new TabStorage();
    const usedState = new URL(await beginSignIn(OPTIONS, ORIGIN, undefined, used)).searchParams.get('state') ?? '';
    resumeSignIn(new URLSearchParams({ code: 'c', state: usedState }), used);
    expect(() => resumeSignIn(new URLSearchParams({ code: 'c', state: usedState }), used)).toThrow('not started in this tab');
  });

  it("shows the provider's refusal in its own words", async () => {
    const storage = new TabStorage();
    await beginSignIn(OPTIONS, ORIGIN, undefined, storage);
    expect(() => resumeSignIn(new URLSearchParams({ error: 'access_denied', error_description: 'End-User aborted interaction', state: 'x' }), storage)).toThrow('access_denied (End-User aborted interaction)');
    expect(storage.length).toBe(0);
  });

  it('tells a provider answer from a person opening the sign-in page', () => {
    expect(isProviderAnswer(new URLSearchParams({ code: 'c', state: 's' }))).toBe(true);
    expect(isProviderAnswer(new URLSearchParams({ error: 'access_denied', state: 's' }))).toBe(true);
    expect(isProviderAnswer(new URLSearchParams({ next: '/approvals' }))).toBe(false);
    expect(isProviderAnswer(new URLSearchParams({ code: 'c' }))).toBe(false);
  });
});
