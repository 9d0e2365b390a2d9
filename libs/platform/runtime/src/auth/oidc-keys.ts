import type { JsonWebKey, KeyObject } from 'node:crypto';
import { publicKeyOfJwk } from './jwt-verifier';
import type { JwtAlgorithm, KeyLookup } from './jwt-verifier';

export interface OidcKeysOptions {
  /** The issuer's identifier; its discovery document is `<issuer>/.well-known/openid-configuration`. */
  readonly issuer: string;
  /** How long fetched keys are used before they are fetched again (default 10 minutes). */
  readonly cacheMs?: number;
  /** The least time between two fetches caused by unknown `kid`s (default 30 s): a flood of made-up kids costs one. */
  readonly minRefreshMs?: number;
  /** Each request's time limit (default 5 s). */
  readonly timeoutMs?: number;
  /** Largest discovery document or key set accepted, in bytes (default 256 KiB). */
  readonly maxBytes?: number;
}

/** Where a provider's browser sign-in happens (from its discovery document), for the console's single sign-on. */
export interface OidcEndpoints {
  readonly authorization: URL;
  readonly token: URL;
}

/**
 * The signing keys of an OpenID provider (OpenID Connect Discovery 1.0, RFC 7517): `jwks_uri` from the issuer's
 * discovery document (whose `issuer` must be the configured one), the key set fetched and kept for `cacheMs`,
 * fetched again when a token names a `kid` not in it (the provider rotated its keys) — at most once per
 * `minRefreshMs`. Plain http is accepted only for an issuer on the loopback (tests); anything else must be https.
 */
export class OidcKeys {
  private keys = new Map<string, KeyObject>();
  private fetchedAt = Number.NEGATIVE_INFINITY;
  private discovery?: Promise<Record<string, unknown>>;
  private refreshing?: Promise<void>;

  constructor(private readonly options: OidcKeysOptions) {
    checkedUrl(options.issuer, options.issuer);
  }

  /** For JwtVerifier: the key for `kid` (or the only key, when the token names none). */
  readonly lookup: KeyLookup = async (kid: string | undefined, _alg: JwtAlgorithm) => {
    const now = Date.now();
    if (now - this.fetchedAt > (this.options.cacheMs ?? 600_000)) await this.refresh();
    else if (kid !== undefined && !this.keys.has(kid) && now - this.fetchedAt > (this.options.minRefreshMs ?? 30_000)) await this.refresh();
    if (kid !== undefined) return this.keys.get(kid);
    return this.keys.size === 1 ? [...this.keys.values()][0] : undefined;
  };

  /** Fetches the key set now (one fetch at a time; callers arriving meanwhile wait for it). */
  refresh(): Promise<void> {
    this.refreshing ??= this.fetchKeys().finally(() => (this.refreshing = undefined));
    return this.refreshing;
  }

  /** The provider's authorization and token endpoints (its discovery document, fetched once). */
  async endpoints(): Promise<OidcEndpoints> {
    const discovery = await this.discovered();
    return { authorization: this.endpointOf(discovery, 'authorization_endpoint'), token: this.endpointOf(discovery, 'token_endpoint') };
  }

  /** The discovery document, fetched once (a failed fetch is tried again by the next caller). */
  private discovered(): Promise<Record<string, unknown>> {
    this.discovery ??= (async () => {
      const document = await this.getJson(new URL(`${this.options.issuer.replace(/\/$/, '')}/.well-known/openid-configuration`));
      if (document['issuer'] !== this.options.issuer) throw new Error(`the discovery document names issuer ${String(document['issuer'])}, not ${this.options.issuer}`);
      return document;
    })().catch((error: unknown) => {
      this.discovery = undefined;
      throw error;
    });
    return this.discovery;
  }

  private endpointOf(discovery: Record<string, unknown>, name: string): URL {
    const uri = discovery[name];
    if (typeof uri !== 'string') throw new Error(`the discovery document has no ${name}`);
    return checkedUrl(uri, this.options.issuer);
  }

  private async fetchKeys(): Promise<void> {
    const set = await this.getJson(this.endpointOf(await this.discovered(), 'jwks_uri'));
    const keys = new Map<string, KeyObject>();
    for (const jwk of Array.isArray(set['keys']) ? (set['keys'] as unknown[]) : []) {
      if (typeof jwk !== 'object' || jwk === null) continue;
      const { kid, use } = jwk as { kid?: unknown; use?: unknown };
      if (typeof kid !== 'string' || (use !== undefined && use !== 'sig')) continue;
      const key = publicKeyOfJwk(jwk as JsonWebKey);
      if (key) keys.set(kid, key);
    }
    this.keys = keys;
    this.fetchedAt = Date.now();
  }

  private async getJson(url: URL): Promise<Record<string, unknown>> {
    const reply = await fetch(url, { redirect: 'error', signal: AbortSignal.timeout(this.options.timeoutMs ?? 5000), headers: { accept: 'application/json' } });
    if (!reply.ok) throw new Error(`${url.href} answered ${reply.status}`);
    const text = await reply.text();
    if (Buffer.byteLength(text) > (this.options.maxBytes ?? 256 * 1024)) throw new Error(`${url.href} answered more than the size limit`);
    const value: unknown = JSON.parse(text);
    if (typeof value !== 'object' || value === null || Array.isArray(value)) throw new Error(`${url.href} did not answer a JSON object`);
    return value as Record<string, unknown>;
  }
}

/** An https URL, or http on the loopback when the issuer itself is there (a provider run by the tests). */
function checkedUrl(value: string, issuer: string): URL {
  const url = new URL(value);
  if (url.protocol === 'https:' || (url.protocol === 'http:' && loopback(url) && loopback(new URL(issuer)))) return url;
  throw new Error(`${value}: an OpenID provider is reached over https`);
}

function loopback(url: URL): boolean {
  return url.hostname === '127.0.0.1' || url.hostname === 'localhost' || url.hostname === '[::1]';
}

/** Why `issuer` cannot be an OpenID provider's identifier (MREG_OIDC_ISSUER), or undefined when it can. */
export function issuerProblem(issuer: string): string | undefined {
  let url: URL;
  try {
    url = new URL(issuer);
  } catch {
    return "must be a URL (the provider's issuer identifier)";
  }
  if (url.search !== '' || url.hash !== '') return 'must have no query or fragment';
  if (url.protocol === 'https:' || (url.protocol === 'http:' && loopback(url))) return undefined;
  return 'must be https (plain http only on the loopback)';
}
