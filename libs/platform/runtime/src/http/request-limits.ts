import { Injectable } from '@nestjs/common';
import type { CallHandler, ExecutionContext, NestInterceptor } from '@nestjs/common';
import type { Request } from 'express';
import { Observable, finalize } from 'rxjs';
import type { Principal } from '@mreg/shared/contracts';
import { ApiError } from './api-error';

/**
 * Failed authentications per client address in a sliding window: past the limit, a failing request is answered
 * 429 with Retry-After instead of 401, so guessing tokens costs time. Requests that authenticate are never held.
 */
export class AuthFailureLimiter {
  private readonly failures = new Map<string, number[]>();

  constructor(
    private readonly limit: number,
    private readonly windowMs: number,
  ) {}

  /** Records a failure of `client`; returns the seconds to wait when it is over the limit, else undefined. */
  record(client: string, now = Date.now()): number | undefined {
    const recent = (this.failures.get(client) ?? []).filter((at) => at > now - this.windowMs);
    recent.push(now);
    this.failures.set(client, recent.slice(-(this.limit + 1)));
    // Forget quiet clients, so a scan of many addresses cannot grow the map without bound.
    if (this.failures.size > 10_000) for (const [key, times] of this.failures) if ((times.at(-1) ?? 0) <= now - this.windowMs) this.failures.delete(key);
    if (recent.length <= this.limit) return undefined;
    const oldest = recent[recent.length - this.limit - 1] ?? now;
    return Math.max(1, Math.ceil((oldest + this.windowMs - now) / 1000));
  }
}

/** A request that reads much: a filtered, ordered or large list, a search, a history or an integrity check. */
export function isCostlyRead(req: Request): boolean {
  if (req.method !== 'GET') return false;
  if (/\/(integrity|history|provenance)$/.test(req.path)) return true;
  const query = req.query as Record<string, unknown>;
  return query['filter'] !== undefined || query['orderBy'] !== undefined || Number(query['pageSize'] ?? 0) > 100;
}

export interface RequestCaps {
  /** Requests one principal may have in flight at once (any route). */
  readonly perPrincipal: number;
  /** Costly reads (isCostlyRead) one principal may have in flight at once. */
  readonly costlyPerPrincipal: number;
}

/**
 * Caps what one principal may have in flight, so one caller (or one leaked token) cannot occupy the server:
 * past a cap the request is answered 429 RESOURCE_EXHAUSTED with Retry-After. Runs after authentication.
 */
@Injectable()
export class PrincipalCaps implements NestInterceptor {
  private readonly inFlight = new Map<string, { all: number; costly: number }>();

  constructor(private readonly caps: RequestCaps) {}

  intercept(context: ExecutionContext, next: CallHandler): Observable<unknown> {
    if (context.getType() !== 'http') return next.handle();
    const request = context.switchToHttp().getRequest<Request & { principal?: Principal }>();
    const user = request.principal?.user;
    if (user === undefined) return next.handle();
    const costly = isCostlyRead(request);
    const count = this.inFlight.get(user) ?? { all: 0, costly: 0 };
    if (count.all >= this.caps.perPrincipal || (costly && count.costly >= this.caps.costlyPerPrincipal)) {
      const cap = costly && count.costly >= this.caps.costlyPerPrincipal ? `${this.caps.costlyPerPrincipal} costly reads` : `${this.caps.perPrincipal} requests`;
      throw new ApiError('RESOURCE_EXHAUSTED', `too many requests in flight for ${user} (at most ${cap} at once); retry shortly`, undefined, 1);
    }
    count.all++;
    if (costly) count.costly++;
    this.inFlight.set(user, count);
    return next.handle().pipe(
      finalize(() => {
        count.all--;
        if (costly) count.costly--;
        if (count.all === 0) this.inFlight.delete(user);
      }),
    );
  }
}
