import { randomUUID } from 'node:crypto';
import { createParamDecorator } from '@nestjs/common';
import type { ExecutionContext } from '@nestjs/common';
import type { CommandContext } from '../event-sourcing/command-context';
import type { AuthenticatedRequest } from '../auth/auth.guard';
import type { Principal } from '@mreg/shared/contracts';
import { ApiError } from './api-error';

const CORRELATION_ID = /^[A-Za-z0-9._:-]{1,128}$/;

/** The caller as a command context: principal from the guard, correlation id from X-Correlation-Id or new. */
export function commandContextOf(request: AuthenticatedRequest): CommandContext {
  if (!request.principal) throw new ApiError('UNAUTHENTICATED', 'not authenticated');
  const given = request.headers['x-correlation-id'] ?? request.headers['x-request-id'];
  const correlationId = typeof given === 'string' && CORRELATION_ID.test(given) ? given : randomUUID();
  return { principal: request.principal, correlationId };
}

export const Caller = createParamDecorator((_: unknown, ctx: ExecutionContext): CommandContext => commandContextOf(ctx.switchToHttp().getRequest<AuthenticatedRequest>()));

/** The authenticated principal of a request (the AuthGuard ran first): who reads, for routes that write nothing. */
export const Reader = createParamDecorator((_: unknown, ctx: ExecutionContext): Principal => {
  const principal = ctx.switchToHttp().getRequest<AuthenticatedRequest>().principal;
  if (!principal) throw new Error('Reader on a route without authentication');
  return principal;
});
