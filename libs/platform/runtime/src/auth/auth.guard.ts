import { Injectable } from '@nestjs/common';
import type { CanActivate, ExecutionContext } from '@nestjs/common';
import { Reflector } from '@nestjs/core';
import type { Request } from 'express';
import type { Principal, Role } from '@mreg/shared/contracts';
import { ApiError } from '../http/api-error';
import { PUBLIC_KEY, ROLES_KEY } from './roles.decorator';
import { TokenRegistry, hasAnyRole } from './token-registry';

export type AuthenticatedRequest = Request & { principal?: Principal };

/** Every route needs a bearer token (401) and one of its declared roles (403); @Public() routes excepted. */
@Injectable()
export class AuthGuard implements CanActivate {
  constructor(
    private readonly reflector: Reflector,
    private readonly tokens: TokenRegistry,
  ) {}

  canActivate(context: ExecutionContext): boolean {
    const targets = [context.getHandler(), context.getClass()];
    if (this.reflector.getAllAndOverride<boolean>(PUBLIC_KEY, targets)) return true;
    const request = context.switchToHttp().getRequest<AuthenticatedRequest>();
    const principal = this.authenticate(request.headers.authorization);
    const roles = this.reflector.getAllAndOverride<Role[] | undefined>(ROLES_KEY, targets);
    // A route without declared roles is admin-only: forgetting @Roles never opens a route.
    if (!hasAnyRole(principal, roles ?? ['admin'])) {
      throw new ApiError('PERMISSION_DENIED', `requires one of the roles: ${(roles ?? ['admin']).join(', ')}`);
    }
    request.principal = principal;
    return true;
  }

  authenticate(header: string | undefined): Principal {
    return authenticateBearer(this.tokens, header);
  }
}

/**
 * The principal of an `Authorization: Bearer <token>` value, or an UNAUTHENTICATED ApiError. One rule for every
 * way in: HTTP requests (AuthGuard) and inbound Kafka messages (their `authorization` header).
 */
export function authenticateBearer(tokens: TokenRegistry, header: string | undefined): Principal {
  if (!header) throw new ApiError('UNAUTHENTICATED', 'missing Authorization: Bearer <token> header');
  const match = /^Bearer ([^\s]{1,512})$/i.exec(header.trim());
  if (!match?.[1]) throw new ApiError('UNAUTHENTICATED', 'Authorization header must be "Bearer <token>"');
  const principal = tokens.resolve(match[1]);
  if (!principal) throw new ApiError('UNAUTHENTICATED', 'unknown or revoked token');
  return principal;
}
