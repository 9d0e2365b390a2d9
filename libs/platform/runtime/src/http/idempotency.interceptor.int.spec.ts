import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { CallHandler, ExecutionContext } from '@nestjs/common';
import { NEVER, firstValueFrom, of, throwError } from 'rxjs';
import { SqliteReadStore } from '@mreg/platform/read-store/sqlite';
import { ApiError } from './api-error';
import { IdempotencyInterceptor } from './idempotency.interceptor';

// Issue 8: a write committed just before its process died must not run again when the client retries with the
// same Idempotency-Key. Each interceptor instance here is one server process; they share one real read store.

interface Exchange {
  readonly context: ExecutionContext;
  readonly headers: Record<string, string>;
}

function exchange(key: string, body: unknown, user = 'alice'): Exchange {
  const headers: Record<string, string> = {};
  const req = { method: 'POST', originalUrl: '/api/v1/models/m/versions', body, headers: { 'idempotency-key': key }, principal: { user, roles: ['contributor'] } };
  const res = {
    statusCode: 201,
    getHeader: (name: string) => headers[name.toLowerCase()],
    setHeader: (name: string, value: string) => (headers[name.toLowerCase()] = value),
    status(code: number) {
      res.statusCode = code;
      return res;
    },
  };
  const context = { getType: () => 'http', switchToHttp: () => ({ getRequest: () => req, getResponse: () => res }) } as unknown as ExecutionContext;
  return { context, headers };
}

/** A handler that counts its runs and answers `answer` (or never, like a process that died mid-request). */
function handler(answer: 'ok' | 'never' | 'server-error') {
  const calls = { n: 0 };
  const next: CallHandler = {
    handle: () => {
      calls.n++;
      if (answer === 'never') return NEVER;
      if (answer === 'server-error') return throwError(() => new ApiError('UNAVAILABLE', 'the log is unavailable'));
      return of({ version: calls.n });
    },
  };
  return { next, calls };
}

describe('IdempotencyInterceptor across processes', () => {
  let dir: string;
  let store: SqliteReadStore;

  beforeEach(async () => {
    dir = await mkdtemp(join(tmpdir(), 'mreg-idempotency-'));
    store = new SqliteReadStore(join(dir, 'read-models.sqlite'));
  });

  afterEach(async () => {
    jest.restoreAllMocks();
    await store.close();
    await rm(dir, { recursive: true, force: true });
  });

  const run = (interceptor: IdempotencyInterceptor, ex: Exchange, next: CallHandler) => firstValueFrom(interceptor.intercept(ex.context, next));

  it('answers a retry with the first outcome, running the handler once', async () => {
    const server = new IdempotencyInterceptor(store);
    const first = handler('ok');
    await expect(run(server, exchange('k1', { d: 1 }), first.next)).resolves.toEqual({ version: 1 });
    const retry = exchange('k1', { d: 1 });
    // Another process answers the retry from the shared record.
    await expect(run(new IdempotencyInterceptor(store), retry, first.next)).resolves.toEqual({ version: 1 });
    expect(first.calls.n).toBe(1);
    expect(retry.headers['idempotent-replayed']).toBe('true');
  });

  it('never runs a key again whose first attempt died with its process, and says the outcome is unknown', async () => {
    const died = handler('never');
    // The first process takes the request and dies before answering: its observable never completes.
    void run(new IdempotencyInterceptor(store), exchange('k2', { d: 2 }), died.next);
    await new Promise((resolve) => setTimeout(resolve, 20));
    expect(died.calls.n).toBe(1);

    const restarted = new IdempotencyInterceptor(store);
    const retry = handler('ok');
    await expect(run(restarted, exchange('k2', { d: 2 }), retry.next)).rejects.toMatchObject({ code: 'CONFLICT', details: { idempotency: 'in-progress' } });
    // Once the attempt is older than any request could run, the answer says its outcome is unknown.
    const later = Date.now() + 3 * 60_000;
    jest.spyOn(Date, 'now').mockReturnValue(later);
    await expect(run(restarted, exchange('k2', { d: 2 }), retry.next)).rejects.toMatchObject({ code: 'CONFLICT', details: { idempotency: 'outcome-unknown' } });
    expect(retry.calls.n).toBe(0);
  });

  it('lets one of two processes racing for a key run it, and tells the other', async () => {
    const slow = handler('never');
    const fast = handler('ok');
    const outcomes = await Promise.allSettled([
      Promise.race([run(new IdempotencyInterceptor(store), exchange('k3', {}), slow.next), new Promise((resolve) => setTimeout(() => resolve('running'), 200))]),
      Promise.race([run(new IdempotencyInterceptor(store), exchange('k3', {}), fast.next), new Promise((resolve) => setTimeout(() => resolve('running'), 200))]),
    ]);
    expect(slow.calls.n + fast.calls.n).toBe(1);
    expect(outcomes.filter((o) => o.status === 'rejected').map((o) => o.reason as ApiError)).toEqual([expect.objectContaining({ code: 'CONFLICT' })]);
  });

  it('lets a retry run again after a server error, and refuses the key for another request', async () => {
    const server = new IdempotencyInterceptor(store);
    const failing = handler('server-error');
    await expect(run(server, exchange('k4', { d: 4 }), failing.next)).rejects.toMatchObject({ code: 'UNAVAILABLE' });
    const retry = handler('ok');
    await expect(run(server, exchange('k4', { d: 4 }), retry.next)).resolves.toEqual({ version: 1 });
    await expect(run(server, exchange('k4', { d: 4 }), retry.next)).resolves.toEqual({ version: 1 });
    expect(retry.calls.n).toBe(1);
    await expect(run(server, exchange('k4', { d: 'other' }), retry.next)).rejects.toMatchObject({ code: 'IDEMPOTENCY_MISMATCH' });
  });
});
