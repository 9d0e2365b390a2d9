import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { BoundField, BoundFilter } from '@mreg/shared/query';
import { QueryTooExpensiveError, ReadQueueFullError } from './read-store.port';
import { SqliteReadStore } from './sqlite-read-store';
import { ReadTurns } from './read-turns';
import { SqliteQueryWorkers } from './sqlite-query-workers';

// Issue 8: one reader must not be able to take the server down. The embedded store runs every query under a
// budget (stopped from inside SQLite once it is spent), one query per event-loop turn, with a bounded queue.

const description: BoundField = { name: 'description', path: ['description'], type: 'string' };
const sortById: BoundField = { name: 'name', path: ['name'], type: 'string' };

/** Many LIKE predicates with many wildcards joined by OR: what a hostile reader sends. */
function hostileFilter(predicates: number): BoundFilter {
  const like = (i: number): BoundFilter => ({ kind: 'like', field: description, pattern: `%a%${i}%b%c%d%e%f%g%h%i%j%k%l%m%n%o%p%zz`, caseInsensitive: true });
  let filter = like(0);
  for (let i = 1; i < predicates; i++) filter = { kind: 'or', left: filter, right: like(i) };
  return filter;
}

describe.each([
  ['in worker threads', 1],
  ['on the main thread', 0],
])('SqliteReadStore read budget, queries %s', (_where, queryWorkers) => {
  let dir: string;
  let store: SqliteReadStore;

  beforeAll(async () => {
    dir = await mkdtemp(join(tmpdir(), 'mreg-read-budget-'));
    store = new SqliteReadStore(join(dir, 'read-models.db'), { queryBudgetMs: 50, maxQueuedReads: 4, queryWorkers });
    // Unbudgeted, the hostile filter over these documents takes many seconds; small ones take microseconds.
    const docs = store.collection<{ name: string; description: string }>('versions');
    for (let i = 0; i < 400; i++) {
      await docs.apply(`v${i}`, `s${i}`, 0, () => ({ name: `v${String(i).padStart(4, '0')}`, description: 'abcdefghijklmnop '.repeat(250) }));
    }
    const small = store.collection<{ name: string }>('models');
    for (let i = 0; i < 5; i++) await small.apply(`m${i}`, `m${i}`, 0, () => ({ name: `m${i}` }));
  });

  afterAll(async () => {
    await store.close();
    await rm(dir, { recursive: true, force: true });
  });

  it('stops a query that runs past its budget with QueryTooExpensiveError (find and count)', async () => {
    const docs = store.collection('versions');
    await expect(docs.find({ filter: hostileFilter(50), sort: { field: sortById, direction: 'asc' }, limit: 1000 })).rejects.toBeInstanceOf(QueryTooExpensiveError);
    await expect(docs.count(hostileFilter(50))).rejects.toMatchObject({ code: 'QUERY_TOO_EXPENSIVE', budgetMs: 50 });
  });

  it('answers ordinary queries right after a stopped one', async () => {
    await store
      .collection('versions')
      .count(hostileFilter(50))
      .catch(() => undefined);
    const small = store.collection<{ name: string }>('models');
    const page = await small.find({ sort: { field: sortById, direction: 'asc' }, limit: 3 });
    expect(page.items.map((d) => d.name)).toEqual(['m0', 'm1', 'm2']);
    await expect(small.count()).resolves.toBe(5);
  });

  it('refuses new queries while more than its queue limit wait for their turn, and runs the queued ones', async () => {
    const docs = store.collection('models');
    const reads = Array.from({ length: 8 }, () =>
      docs.count().then(
        (n) => ({ ok: n }),
        (error: unknown) => ({ error }),
      ),
    );
    const outcomes = await Promise.all(reads);
    const refused = outcomes.filter((o) => 'error' in o);
    expect(refused.length).toBeGreaterThan(0);
    for (const o of refused) expect(o.error).toBeInstanceOf(ReadQueueFullError);
    expect(outcomes.filter((o) => 'ok' in o)).toEqual(Array(outcomes.length - refused.length).fill({ ok: 5 }));
  });
});

describe('SqliteReadStore queries in worker threads', () => {
  let dir: string;

  beforeEach(async () => {
    dir = await mkdtemp(join(tmpdir(), 'mreg-query-workers-'));
  });

  afterEach(async () => {
    await rm(dir, { recursive: true, force: true });
  });

  it('keeps the event loop turning while a query runs, and sees every write made before it', async () => {
    const store = new SqliteReadStore(join(dir, 'read-models.db'), { queryBudgetMs: 200, queryWorkers: 1 });
    try {
      const docs = store.collection<{ name: string; description: string }>('versions');
      for (let i = 0; i < 400; i++) await docs.apply(`v${i}`, `s${i}`, 0, () => ({ name: `v${i}`, description: 'abcdefghijklmnop '.repeat(250) }));
      let settled = false;
      const hostile = docs.count(hostileFilter(50)).finally(() => (settled = true));
      // The main thread is free: timers fire while the worker spends its budget.
      await new Promise((resolve) => setTimeout(resolve, 5));
      expect(settled).toBe(false);
      await expect(hostile).rejects.toBeInstanceOf(QueryTooExpensiveError);
      // A write committed on the main connection is in the very next query's snapshot.
      await docs.apply('v-new', 's-new', 0, () => ({ name: 'v-new', description: 'fresh' }));
      await expect(docs.count({ kind: 'compare', field: description, op: '=', value: 'fresh' })).resolves.toBe(1);
    } finally {
      await store.close();
    }
  });

  it('stops and replaces a worker whose query never yields to its budget check', async () => {
    const workers = new SqliteQueryWorkers(join(dir, 'read-models.db'), { budgetMs: 10, size: 1, maxWaiting: 4, busyTimeoutMs: 1000, stopAfterMs: 50 });
    const store = new SqliteReadStore(join(dir, 'read-models.db'), { queryWorkers: 0 });
    try {
      // A long query that calls no function of ours, so its budget is never checked: it is given up on after
      // stopAfterMs, and a fresh worker answers the next query while the old thread finishes and exits.
      const long = workers.run({ sql: 'WITH RECURSIVE c(x) AS (SELECT 1 UNION ALL SELECT x + 1 FROM c WHERE x < 1500000) SELECT count(*) AS n FROM c', params: [], first: true });
      await expect(long).rejects.toBeInstanceOf(QueryTooExpensiveError);
      await expect(workers.run({ sql: 'SELECT 41 + 1 AS n', params: [], first: true })).resolves.toEqual({ n: 42 });
    } finally {
      await workers.close();
      await store.close();
    }
  });

  it('fails the waiting query with the reason when a worker cannot open the database', async () => {
    const workers = new SqliteQueryWorkers(join(dir, 'missing', 'read-models.db'), { budgetMs: 10, size: 1, maxWaiting: 4, busyTimeoutMs: 1000 });
    try {
      await expect(workers.run({ sql: 'SELECT 1 AS n', params: [], first: true })).rejects.toThrow(/unable to open/i);
    } finally {
      await workers.close();
    }
  });

  it('refuses queries once closed', async () => {
    const workers = new SqliteQueryWorkers(join(dir, 'read-models.db'), { budgetMs: 10, size: 1, maxWaiting: 4, busyTimeoutMs: 1000 });
    const store = new SqliteReadStore(join(dir, 'read-models.db'), { queryWorkers: 0 });
    await workers.close();
    await store.close();
    await expect(workers.run({ sql: 'SELECT 1 AS n', params: [], first: true })).rejects.toThrow('closed');
  });
});

describe('ReadTurns', () => {
  it('runs one read per event-loop turn, so other callbacks get in between', async () => {
    const turns = new ReadTurns(100);
    const order: string[] = [];
    const reads = [1, 2, 3].map((n) => turns.run(() => order.push(`read ${n}`)));
    // An I/O-like callback queued after the reads were asked for still runs before the last of them.
    setImmediate(() => order.push('other'));
    await Promise.all(reads);
    expect(order.indexOf('other')).toBeLessThan(order.indexOf('read 3'));
    expect(order.filter((o) => o.startsWith('read'))).toEqual(['read 1', 'read 2', 'read 3']);
  });

  it('passes a read error to its caller only, and goes on with the next', async () => {
    const turns = new ReadTurns(100);
    const failing = turns.run(() => {
      throw new Error('boom');
    });
    const next = turns.run(() => 42);
    await expect(failing).rejects.toThrow('boom');
    await expect(next).resolves.toBe(42);
  });
});
