import { Injectable } from '@nestjs/common';
import type { CanActivate, ExecutionContext } from '@nestjs/common';
import { Reflector } from '@nestjs/core';
import type { Request } from 'express';
import type { Principal, Role } from '@mreg/shared/contracts';
import { ApiError } from '../http/api-error';
import { PUBLIC_KEY, ROLES_KEY } from './roles.decorator';
import { TokenRegistry, hasAnyRole } from './token-registry';
import { AuthFailureLimiter } from '../http/request-limits';

export type AuthenticatedRequest = Request & { principal?: Principal };

/** Every route needs a bearer token (401) and one of its declared roles (403); @Public() routes excepted. */
@Injectable()
export class AuthGuard implements CanActivate {
  constructor(
    private readonly reflector: Reflector,
    private readonly tokens: TokenRegistry,
    private readonly failures: AuthFailureLimiter,
  ) {}

  canActivate(context: ExecutionContext): boolean {
    const targets = [context.getHandler(), context.getClass()];
    if (this.reflector.getAllAndOverride<boolean>(PUBLIC_KEY, targets)) return true;
    const request = context.switchToHttp().getRequest<AuthenticatedRequest>();
    const principal = this.authenticate(request);
    const roles = this.reflector.getAllAndOverride<Role[] | undefined>(ROLES_KEY, targets);
    // A route without declared roles is admin-only: forgetting @Roles never opens a route.
    if (!hasAnyRole(principal, roles ?? ['admin'])) {
      throw new ApiError('PERMISSION_DENIED', `requires one of the roles: ${(roles ?? ['admin']).join(', ')}`);
    }
    request.principal = principal;
    return true;
  }

  /** authenticateCaller, with failures counted per client address (429 once a client keeps failing). */
  private authenticate(request: Request): Principal {
    try {
      return authenticateCaller(this.tokens, request.headers.authorization);
    } catch (error: unknown) {
      const retryAfter = this.failures.record(request.socket.remoteAddress ?? 'unknown');
      if (retryAfter !== undefined) {
        throw new ApiError('RESOURCE_EXHAUSTED', 'too many failed authentication attempts from this address; retry later', undefined, retryAfter);
      }
      throw error;
    }
  }
}

/**
 * The principal of an `Authorization` value, or an UNAUTHENTICATED ApiError. One rule for every way in: HTTP
 * requests of both APIs (AuthGuard) and inbound Kafka messages (their `authorization` header).
 * - `Bearer <token>`: an mreg token (what MLFLOW_TRACKING_TOKEN sends);
 * - `Basic base64(<user>:<token>)`: the same token as a password, for clients that only speak basic auth
 *   (MLFLOW_TRACKING_USERNAME / MLFLOW_TRACKING_PASSWORD); the user name must be the token's user.
 */
export function authenticateCaller(tokens: TokenRegistry, header: string | undefined): Principal {
  if (!header) throw new ApiError('UNAUTHENTICATED', 'missing Authorization header: send "Bearer <token>"');
  const bearer = /^Bearer ([^\s]{1,512})$/i.exec(header.trim());
  if (bearer?.[1]) return known(tokens.resolve(bearer[1]));
  const basic = /^Basic ([A-Za-z0-9+/]{1,1400}={0,2})$/i.exec(header.trim());
  if (basic?.[1]) {
    const decoded = Buffer.from(basic[1], 'base64').toString('utf8');
    const colon = decoded.indexOf(':');
    if (colon < 1) throw new ApiError('UNAUTHENTICATED', 'basic credentials must be "<user>:<token>"');
    const principal = known(tokens.resolve(decoded.slice(colon + 1)));
    // A token is a secret of one user: presenting it under another name is a mistake, not that user.
    if (principal.user !== decoded.slice(0, colon)) throw new ApiError('UNAUTHENTICATED', 'unknown or revoked token');
    return principal;
  }
  throw new ApiError('UNAUTHENTICATED', 'Authorization header must be "Bearer <token>" or "Basic <user:token>"');
}

function known(principal: Principal | undefined): Principal {
  if (!principal) throw new ApiError('UNAUTHENTICATED', 'unknown or revoked token');
  return principal;
}
