import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { BoundField, BoundFilter } from '@mreg/shared/query';
import { QueryTooExpensiveError, ReadQueueFullError } from './read-store.port';
import { SqliteReadStore } from './sqlite-read-store';
import { ReadTurns } from './read-turns';

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

describe('SqliteReadStore read budget', () => {
  let dir: string;
  let store: SqliteReadStore;

  beforeAll(async () => {
    dir = await mkdtemp(join(tmpdir(), 'mreg-read-budget-'));
    store = new SqliteReadStore(join(dir, 'read-models.db'), { queryBudgetMs: 50, maxQueuedReads: 4 });
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
