import type { Principal } from '@mreg/shared/contracts';
import { ApiError } from '../http/api-error';
import type { MregConfig } from '../config/mreg.config';
import { JwtRejected } from './jwt-verifier';
import type { OidcIdentity } from './oidc-identity';

// The web console's single sign-on (decision 36): the browser runs the authorization code flow with PKCE against
// the provider, and mreg exchanges the code at the provider's token endpoint. The exchange happens here rather
// than in the browser so the console's CSP keeps `connect-src 'self'`, providers that allow no cross-origin token
// requests work, and a confidential client's secret never reaches a browser.

export interface ConsoleSignInSettings {
  readonly clientId: string;
  readonly clientSecret?: string;
  readonly scope: string;
  readonly resource?: string;
}

/** What the console needs to send a browser to the provider. */
export interface SingleSignOnOptions {
  readonly issuer: string;
  readonly authorizationEndpoint: string;
  readonly clientId: string;
  readonly scope: string;
  readonly resource?: string;
}

export interface CodeExchange {
  readonly code: string;
  readonly codeVerifier: string;
  readonly redirectUri: string;
}

export interface SignedIn {
  readonly accessToken: string;
  readonly tokenType: 'Bearer';
  /** Seconds the access token stays valid, when the provider says. */
  readonly expiresIn?: number;
  readonly principal: Principal;
}

const MAX_ANSWER_BYTES = 256 * 1024;
const TIMEOUT_MS = 10_000;

/** The console's sign-in settings of a configuration, when single sign-on and a console client are configured. */
export function consoleSignInSettingsOf(config: MregConfig): ConsoleSignInSettings | undefined {
  if (config.oidcConsoleClientId === undefined) return undefined;
  const scopes = new Set(['openid', ...config.oidcConsoleScope.split(' ')]);
  return {
    clientId: config.oidcConsoleClientId,
    scope: [...scopes].join(' '),
    ...(config.oidcConsoleClientSecret !== undefined ? { clientSecret: config.oidcConsoleClientSecret } : {}),
    ...(config.oidcConsoleResource !== undefined ? { resource: config.oidcConsoleResource } : {}),
  };
}

/** The provider's words, short and printable, for an error message. */
function said(value: unknown): string {
  return typeof value === 'string' ? value.replace(/[^\x20-\x7e]/g, '?').slice(0, 300) : '';
}

/** The console's sign-in through the provider; `configured` is false when the registry has no console client. */
export class ConsoleSignIn {
  constructor(private readonly setup?: { readonly settings: ConsoleSignInSettings; readonly oidc: OidcIdentity }) {}

  get configured(): boolean {
    return this.setup !== undefined;
  }

  /** The provider's authorization endpoint and what to ask it for; 503 while its discovery document is out of reach. */
  async options(): Promise<SingleSignOnOptions> {
    const { settings, oidc } = this.required();
    const endpoints = await this.reachProvider(() => oidc.endpoints());
    return {
      issuer: oidc.settings.issuer,
      authorizationEndpoint: endpoints.authorization.href,
      clientId: settings.clientId,
      scope: settings.scope,
      ...(settings.resource !== undefined ? { resource: settings.resource } : {}),
    };
  }

  /**
   * Exchanges an authorization code for the provider's access token, and checks that mreg accepts that token
   * (the same verification every request gets): a sign-in never hands the console a token the API refuses.
   */
  async exchange(request: CodeExchange): Promise<SignedIn> {
    const { settings, oidc } = this.required();
    const { token } = await this.reachProvider(() => oidc.endpoints());
    const body = new URLSearchParams({ grant_type: 'authorization_code', code: request.code, redirect_uri: request.redirectUri, code_verifier: request.codeVerifier });
    if (settings.resource !== undefined) body.set('resource', settings.resource);
    const headers: Record<string, string> = { 'content-type': 'application/x-www-form-urlencoded', accept: 'application/json' };
    // RFC 6749 §2.3.1: a confidential client authenticates with basic auth of its form-encoded id and secret.
    if (settings.clientSecret !== undefined) headers['authorization'] = `Basic ${Buffer.from(`${encodeURIComponent(settings.clientId)}:${encodeURIComponent(settings.clientSecret)}`).toString('base64')}`;
    else body.set('client_id', settings.clientId);
    const reply = await this.reachProvider(() => fetch(token, { method: 'POST', headers, body, redirect: 'error', signal: AbortSignal.timeout(TIMEOUT_MS) }));
    const answer = await this.reachProvider(() => jsonOf(reply));
    if (reply.status >= 500) throw new ApiError('UNAVAILABLE', `the identity provider failed to answer the sign-in (${reply.status}); retry shortly`, undefined, 5);
    if (!reply.ok) {
      const detail = [said(answer['error']), said(answer['error_description'])].filter((s) => s !== '').join(': ');
      throw new ApiError('UNAUTHENTICATED', `the identity provider refused the sign-in${detail ? ` (${detail})` : ''}: start it again`);
    }
    const accessToken = answer['access_token'];
    if (typeof accessToken !== 'string' || String(answer['token_type']).toLowerCase() !== 'bearer') {
      throw new ApiError('UNAVAILABLE', 'the identity provider answered the sign-in without a bearer access token');
    }
    let principal: Principal;
    try {
      principal = await oidc.principalOf(accessToken);
    } catch (error: unknown) {
      if (!(error instanceof JwtRejected)) throw new ApiError('UNAVAILABLE', 'the identity provider could not be reached to verify the token; retry shortly', undefined, 5);
      // A provider issuing the console tokens mreg refuses is set up wrongly (most often the audience): say so.
      throw new ApiError('UNAUTHENTICATED', `the identity provider's access token is not one mreg accepts (${error.reason}); check MREG_OIDC_CONSOLE_SCOPE / MREG_OIDC_CONSOLE_RESOURCE against MREG_OIDC_AUDIENCE`);
    }
    const expiresIn = answer['expires_in'];
    return { accessToken, tokenType: 'Bearer', ...(typeof expiresIn === 'number' && expiresIn > 0 ? { expiresIn: Math.floor(expiresIn) } : {}), principal };
  }

  private required(): { readonly settings: ConsoleSignInSettings; readonly oidc: OidcIdentity } {
    if (this.setup === undefined) throw new ApiError('NOT_FOUND', 'single sign-on is not configured on this registry (MREG_OIDC_CONSOLE_CLIENT_ID)');
    return this.setup;
  }

  /** Runs a call to the provider; its failure to answer is a 503 (nothing the caller did). */
  private async reachProvider<T>(call: () => Promise<T>): Promise<T> {
    try {
      return await call();
    } catch (error: unknown) {
      if (error instanceof ApiError) throw error;
      throw new ApiError('UNAVAILABLE', 'the identity provider could not be reached; retry shortly', undefined, 5);
    }
  }
}

/** A token endpoint's JSON answer, at most MAX_ANSWER_BYTES (an error page in HTML reads as an empty object). */
async function jsonOf(reply: Response): Promise<Record<string, unknown>> {
  const text = await reply.text();
  if (Buffer.byteLength(text) > MAX_ANSWER_BYTES) throw new Error('the token endpoint answered more than the size limit');
  try {
    const value: unknown = JSON.parse(text);
    return typeof value === 'object' && value !== null && !Array.isArray(value) ? (value as Record<string, unknown>) : {};
  } catch {
    return {};
  }
}
