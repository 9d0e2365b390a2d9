import { CAST, castTokensJson } from '@mreg/testing/e2e';
import { scratchRegistry } from './__tests__/scratch-registry';

// Issue 8: one caller cannot take the server down. Each limit is set low here so the test reaches it quickly;
// the defaults are in docs/operations/production.md. The per-principal caps are proven in request-limits.unit.spec.
describe('request limits', () => {
  const started = scratchRegistry('mreg-limits-', { MREG_TOKENS: castTokensJson(), MREG_AUTH_FAILURES_PER_MINUTE: '5', MREG_QUERY_BUDGET_MS: '10' });
  const call = async (token: string, path: string, init: RequestInit = {}) => {
    const reply = await fetch(`${started.registry().url}${path}`, { ...init, headers: { authorization: `Bearer ${token}`, ...(init.headers as Record<string, string> | undefined) } });
    return { status: reply.status, retryAfter: reply.headers.get('retry-after'), body: (await reply.json()) as { error?: { code: string; message: string } } };
  };

  it('answers 401 to the first failed authentications of an address, then 429 with Retry-After; valid tokens still pass', async () => {
    const statuses: number[] = [];
    let last: Awaited<ReturnType<typeof call>> | undefined;
    for (let i = 0; i < 8; i++) {
      last = await call(`forged-token-${i}`, '/api/v1/models');
      statuses.push(last.status);
    }
    expect(statuses).toEqual([401, 401, 401, 401, 401, 429, 429, 429]);
    expect(last?.body.error?.code).toBe('RESOURCE_EXHAUSTED');
    expect(Number(last?.retryAfter)).toBeGreaterThanOrEqual(1);
    // Throttling failures never locks out a caller with a valid token.
    expect((await call(CAST.alice.token, '/api/v1/models')).status).toBe(200);
  });

  it('refuses a query that runs past its budget with 400 "query too expensive", and stays healthy', async () => {
    const admin = CAST.alice.token;
    for (let i = 0; i < 40; i++) {
      const name = `budget-${i}`;
      await call(admin, '/api/v1/models', { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ name, description: 'abcdefghijklmnop '.repeat(290) }) });
    }
    const predicates = Array.from({ length: 50 }, (_, i) => `description ILIKE '%a%${i}%b%c%d%e%f%g%h%i%j%k%l%m%n%zz'`).join(' OR ');
    const reply = await call(admin, `/api/v1/models?pageSize=1000&orderBy=description&filter=${encodeURIComponent(predicates)}`);
    // Unbudgeted this takes seconds of the event loop; stopped at 10 ms it is a client error.
    expect(reply.status).toBe(400);
    expect(reply.body.error).toEqual(expect.objectContaining({ code: 'INVALID_ARGUMENT', message: expect.stringMatching(/^query too expensive/) as unknown }));
    // An ordinary query of the same caller right after it is answered.
    expect((await call(admin, '/api/v1/models?pageSize=5')).status).toBe(200);
    expect((await fetch(`${started.registry().url}/health`)).status).toBe(200);
  });
});
