import type { CallHandler, ExecutionContext } from '@nestjs/common';
import { Subject, firstValueFrom, lastValueFrom } from 'rxjs';
import { ApiError } from './api-error';
import { AuthFailureLimiter, PrincipalCaps, isCostlyRead } from './request-limits';
import type { Request } from 'express';

function httpContext(request: Partial<Request> & { principal?: { user: string } }): ExecutionContext {
  return { getType: () => 'http', switchToHttp: () => ({ getRequest: () => request }) } as unknown as ExecutionContext;
}

const read = (user: string, query: Record<string, string> = {}, path = '/api/v1/versions') => ({ method: 'GET', path, query, principal: { user } });

describe('AuthFailureLimiter', () => {
  it('lets `limit` failures of a client through in a window, then says how long to wait', () => {
    const limiter = new AuthFailureLimiter(3, 60_000);
    expect([0, 1, 2].map((i) => limiter.record('10.0.0.1', 1_000 + i))).toEqual([undefined, undefined, undefined]);
    expect(limiter.record('10.0.0.1', 1_003)).toBe(60);
    // Another client is counted on its own.
    expect(limiter.record('10.0.0.2', 1_004)).toBeUndefined();
    // Once the window has moved past the early failures, the client may fail again.
    expect(limiter.record('10.0.0.1', 61_500)).toBeUndefined();
  });
});

describe('isCostlyRead', () => {
  it.each([
    [read('a', { filter: "name = 'x'" }), true],
    [read('a', { orderBy: 'name' }), true],
    [read('a', { pageSize: '500' }), true],
    [read('a', {}, '/api/v1/models/m/integrity'), true],
    [read('a', {}, '/api/v1/models/m/history'), true],
    [read('a', { pageSize: '50' }), false],
    [{ ...read('a', { filter: 'x' }), method: 'POST' }, false],
  ])('%j -> %s', (request, costly) => {
    expect(isCostlyRead(request as unknown as Request)).toBe(costly);
  });
});

describe('PrincipalCaps', () => {
  const caps = new PrincipalCaps({ perPrincipal: 3, costlyPerPrincipal: 2 });
  const pending: Subject<string>[] = [];
  const handler = (): CallHandler => {
    const subject = new Subject<string>();
    pending.push(subject);
    return { handle: () => subject.asObservable() };
  };
  const finishAll = () => {
    for (const subject of pending.splice(0)) {
      subject.next('done');
      subject.complete();
    }
  };

  afterEach(finishAll);

  it('refuses a principal over its costly-read cap with RESOURCE_EXHAUSTED and Retry-After, others go on', async () => {
    const first = lastValueFrom(caps.intercept(httpContext(read('carol', { filter: 'x' })), handler()));
    const second = lastValueFrom(caps.intercept(httpContext(read('carol', { filter: 'x' })), handler()));
    expect(() => caps.intercept(httpContext(read('carol', { filter: 'x' })), handler())).toThrow(expect.objectContaining({ code: 'RESOURCE_EXHAUSTED', retryAfterSeconds: 1 }));
    // A cheap read of the same principal and a costly one of another principal still pass.
    const cheap = lastValueFrom(caps.intercept(httpContext(read('carol')), handler()));
    const other = lastValueFrom(caps.intercept(httpContext(read('dave', { filter: 'x' })), handler()));
    finishAll();
    await expect(Promise.all([first, second, cheap, other])).resolves.toEqual(['done', 'done', 'done', 'done']);
  });

  it('counts every request of a principal against its overall cap, and frees a slot when one ends', async () => {
    const running = [0, 1, 2].map(() => firstValueFrom(caps.intercept(httpContext(read('erin')), handler())));
    expect(() => caps.intercept(httpContext(read('erin')), handler())).toThrow(ApiError);
    const oldest = pending.shift() as Subject<string>;
    oldest.next('done');
    oldest.complete();
    await running[0];
    expect(() => caps.intercept(httpContext(read('erin')), handler())).not.toThrow();
  });
});
