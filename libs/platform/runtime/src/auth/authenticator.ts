import { Logger } from '@nestjs/common';
import type { Principal } from '@mreg/shared/contracts';
import { ApiError } from '../http/api-error';
import { ApiTokenCredentials } from './api-token-credentials';
import { JwtRejected } from './jwt-verifier';
import { JWT_SHAPE } from './oidc-identity';
import type { OidcIdentity } from './oidc-identity';
import type { TokenRegistry } from './token-registry';

// A bearer JWT may be long (a provider's groups claim); other tokens are at most 512 characters (MREG_TOKENS).
const BEARER = /^Bearer ([^\s]{1,16384})$/i;
const BASIC = /^Basic ([A-Za-z0-9+/]{1,1400}={0,2})$/i;

/**
 * Who a caller is, from its `Authorization` value: one rule for every way in — HTTP requests of both APIs
 * (AuthGuard) and inbound Kafka messages (InboundGate). UNAUTHENTICATED (401) with the reason when not.
 * - `Bearer <token>`: a token of MREG_TOKENS, an API token (`mreg_pat_…`, from the log), or — with single sign-on
 *   configured — an access token (a JWT) of the OpenID provider;
 * - `Basic base64(<user>:<token>)`: an MREG_TOKENS or API token as a password, for clients that only speak basic
 *   auth (MLFLOW_TRACKING_USERNAME / MLFLOW_TRACKING_PASSWORD); the user name must be the token's user.
 */
export class Authenticator {
  private readonly logger = new Logger('Authenticator');

  constructor(
    private readonly tokens: TokenRegistry,
    private readonly apiTokens?: ApiTokenCredentials,
    private readonly oidc?: OidcIdentity,
  ) {}

  async authenticate(header: string | undefined): Promise<Principal> {
    if (!header) throw new ApiError('UNAUTHENTICATED', 'missing Authorization header: send "Bearer <token>"');
    const bearer = BEARER.exec(header.trim());
    if (bearer?.[1]) return this.ofBearer(bearer[1]);
    const basic = BASIC.exec(header.trim());
    if (basic?.[1]) {
      const decoded = Buffer.from(basic[1], 'base64').toString('utf8');
      const colon = decoded.indexOf(':');
      if (colon < 1) throw new ApiError('UNAUTHENTICATED', 'basic credentials must be "<user>:<token>"');
      const token = decoded.slice(colon + 1);
      const principal = token.length <= 512 && !JWT_SHAPE.test(token) ? await this.ofBearer(token) : undefined;
      // A token is a secret of one user: presenting it under another name is a mistake, not that user.
      if (principal?.user !== decoded.slice(0, colon)) throw new ApiError('UNAUTHENTICATED', 'unknown or revoked token');
      return principal;
    }
    throw new ApiError('UNAUTHENTICATED', 'Authorization header must be "Bearer <token>" or "Basic <user:token>"');
  }

  private async ofBearer(token: string): Promise<Principal> {
    const known = token.length <= 512 ? this.tokens.resolve(token) : undefined;
    if (known) return known;
    if (this.apiTokens && ApiTokenCredentials.isApiToken(token)) return this.apiTokens.principalOf(token);
    if (this.oidc && JWT_SHAPE.test(token)) return this.ofJwt(this.oidc, token);
    throw new ApiError('UNAUTHENTICATED', 'unknown or revoked token');
  }

  private async ofJwt(oidc: OidcIdentity, token: string): Promise<Principal> {
    try {
      return await oidc.principalOf(token);
    } catch (error: unknown) {
      if (error instanceof JwtRejected) throw new ApiError('UNAUTHENTICATED', `token refused: ${error.reason}`);
      // The provider's keys could not be fetched: nothing the caller did; try again shortly.
      this.logger.warn(`the OpenID provider's keys could not be fetched: ${error instanceof Error ? error.message : String(error)}`);
      throw new ApiError('UNAVAILABLE', 'the identity provider could not be reached to verify the token; retry shortly', undefined, 5);
    }
  }
}
