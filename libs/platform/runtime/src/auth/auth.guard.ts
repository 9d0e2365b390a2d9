import { Injectable } from '@nestjs/common';
import type { CanActivate, ExecutionContext } from '@nestjs/common';
import { Reflector } from '@nestjs/core';
import type { Request } from 'express';
import type { Principal, Role } from '@mreg/shared/contracts';
import { ApiError } from '../http/api-error';
import { PUBLIC_KEY, ROLES_KEY } from './roles.decorator';
import { hasAnyRole } from './token-registry';
import { Authenticator } from './authenticator';
import { AuthFailureLimiter } from '../http/request-limits';

export type AuthenticatedRequest = Request & { principal?: Principal };

/** Every route needs a bearer token (401) and one of its declared roles (403); @Public() routes excepted. */
@Injectable()
export class AuthGuard implements CanActivate {
  constructor(
    private readonly reflector: Reflector,
    private readonly authenticator: Authenticator,
    private readonly failures: AuthFailureLimiter,
  ) {}

  async canActivate(context: ExecutionContext): Promise<boolean> {
    const targets = [context.getHandler(), context.getClass()];
    if (this.reflector.getAllAndOverride<boolean>(PUBLIC_KEY, targets)) return true;
    const request = context.switchToHttp().getRequest<AuthenticatedRequest>();
    const principal = await this.authenticate(request);
    const roles = this.reflector.getAllAndOverride<Role[] | undefined>(ROLES_KEY, targets);
    // A route without declared roles is admin-only: forgetting @Roles never opens a route.
    if (!hasAnyRole(principal, roles ?? ['admin'])) {
      throw new ApiError('PERMISSION_DENIED', `requires one of the roles: ${(roles ?? ['admin']).join(', ')}`);
    }
    request.principal = principal;
    return true;
  }

  /** The Authenticator's answer, with failures counted per client address (429 once a client keeps failing). */
  private async authenticate(request: Request): Promise<Principal> {
    try {
      return await this.authenticator.authenticate(request.headers.authorization);
    } catch (error: unknown) {
      // Only a refused credential counts: a provider we could not reach is no attempt of the client's.
      if (!(error instanceof ApiError) || error.code !== 'UNAUTHENTICATED') throw error;
      const retryAfter = this.failures.record(request.socket.remoteAddress ?? 'unknown');
      if (retryAfter !== undefined) {
        throw new ApiError('RESOURCE_EXHAUSTED', 'too many failed authentication attempts from this address; retry later', undefined, retryAfter);
      }
      throw error;
    }
  }
}
