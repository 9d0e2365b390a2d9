import type { SingleSignOnOptions } from '../api/client';

// Single sign-on (decision 36): the authorization code flow with PKCE (RFC 7636, S256). The browser goes to the
// provider with a challenge and a random state; the provider sends it back to /sign-in with a code; the registry
// exchanges the code with the verifier only this tab knows. The pending sign-in waits in sessionStorage (this
// tab only) and is used once.

const PENDING = 'mreg.sign-in';
/** A sign-in left at the provider longer than this is not resumed. */
const PENDING_MS = 15 * 60 * 1000;

interface Pending {
  readonly state: string;
  readonly verifier: string;
  readonly redirectUri: string;
  readonly next?: string;
  readonly at: number;
}

/** What the registry needs to finish a sign-in the provider sent back, and where to go afterwards. */
export interface Resumed {
  readonly code: string;
  readonly codeVerifier: string;
  readonly redirectUri: string;
  readonly next?: string;
}

export function base64Url(bytes: Uint8Array): string {
  let text = '';
  for (const byte of bytes) text += String.fromCharCode(byte);
  return btoa(text).replace(/\+/g, '-').replace(/\//g, '_').replace(/=+$/, '');
}

function randomText(bytes = 32): string {
  return base64Url(crypto.getRandomValues(new Uint8Array(bytes)));
}

/** The S256 challenge of a verifier: base64url(SHA-256(verifier)). Needs a secure context (https or the loopback). */
export async function challengeOf(verifier: string): Promise<string> {
  if (!crypto.subtle) throw new Error('single sign-on needs the console over https (the browser offers no SHA-256 here)');
  return base64Url(new Uint8Array(await crypto.subtle.digest('SHA-256', new TextEncoder().encode(verifier))));
}

/** Where the provider sends the browser back: this console's sign-in page. */
export function redirectUriOf(origin: string): string {
  return `${origin}/sign-in`;
}

/** Starts a sign-in: remembers its state and verifier for this tab, and returns the provider's URL to go to. */
export async function beginSignIn(options: SingleSignOnOptions, origin: string, next: string | undefined, storage: Storage = window.sessionStorage): Promise<string> {
  const pending: Pending = { state: randomText(), verifier: randomText(), redirectUri: redirectUriOf(origin), ...(next !== undefined ? { next } : {}), at: Date.now() };
  const url = new URL(options.authorizationEndpoint);
  url.searchParams.set('response_type', 'code');
  url.searchParams.set('client_id', options.clientId);
  url.searchParams.set('redirect_uri', pending.redirectUri);
  url.searchParams.set('scope', options.scope);
  url.searchParams.set('state', pending.state);
  url.searchParams.set('code_challenge', await challengeOf(pending.verifier));
  url.searchParams.set('code_challenge_method', 'S256');
  if (options.resource !== undefined) url.searchParams.set('resource', options.resource);
  storage.setItem(PENDING, JSON.stringify(pending));
  return url.href;
}

/**
 * The sign-in the provider's answer (`?code=&state=` or `?error=`) belongs to: it must carry the state this tab
 * sent, else it is someone else's (a forged link) and is refused. The pending sign-in is forgotten either way.
 */
export function resumeSignIn(query: URLSearchParams, storage: Storage = window.sessionStorage, now = Date.now()): Resumed {
  const stored = storage.getItem(PENDING);
  storage.removeItem(PENDING);
  const error = query.get('error');
  if (error !== null) {
    const description = query.get('error_description');
    throw new Error(`the identity provider did not sign you in: ${error.slice(0, 100)}${description ? ` (${description.slice(0, 300)})` : ''}`);
  }
  let pending: Pending | undefined;
  try {
    pending = stored === null ? undefined : (JSON.parse(stored) as Pending);
  } catch {
    pending = undefined;
  }
  const code = query.get('code');
  if (pending === undefined || code === null || query.get('state') !== pending.state) throw new Error('this sign-in was not started in this tab (or was already used): start it again');
  if (now - pending.at > PENDING_MS) throw new Error('this sign-in took too long: start it again');
  return { code, codeVerifier: pending.verifier, redirectUri: pending.redirectUri, ...(pending.next !== undefined ? { next: pending.next } : {}) };
}

/** Whether the sign-in page was opened by the provider's answer rather than by a person. */
export function isProviderAnswer(query: URLSearchParams): boolean {
  return query.has('state') && (query.has('code') || query.has('error'));
}
