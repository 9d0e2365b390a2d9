import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { SqliteEventStore } from '@mreg/platform/event-store/sqlite';
import { StreamFolds, WrongExpectedRevisionError } from '@mreg/platform/event-store';
import type { Decider, Event } from '@mreg/shared/contracts';
import type { CommandContext } from './command-context';
import { EventSourcedRepository } from './event-sourced-repository';

// Issue 9: a command must not re-read its whole stream, and writers of one stream in one process must queue
// rather than race. A counter stream stands in for a model's version numbering.

type Counted = Event<'Counted', { n: number }>;
type Count = { type: 'Count'; data: Record<string, never> };
const counter: Decider<{ last: number; folds: number }, Count, Counted> = {
  initialState: { last: 0, folds: 0 },
  decide: (_command, state) => [{ type: 'Counted', data: { n: state.last + 1 } }],
  // `folds` counts how many events were folded into this state: the cache must fold each event once.
  evolve: (state, event) => ({ last: event.data.n, folds: state.folds + 1 }),
};

describe('EventSourcedRepository on a real log (SQLite)', () => {
  let dir = '';
  let store: SqliteEventStore;
  const ctx: CommandContext = { principal: { user: 'alice', roles: ['contributor'] }, correlationId: 'c-1' };

  beforeEach(() => {
    dir = mkdtempSync(join(tmpdir(), 'mreg-repository-'));
    store = new SqliteEventStore(join(dir, 'events.sqlite'));
  });

  afterEach(async () => {
    await store.close();
    rmSync(dir, { recursive: true, force: true });
  });

  it('hands out 1..50 to 50 concurrent commands on one stream without a single lost race', async () => {
    const repository = new EventSourcedRepository(store);
    // No retries allowed: any two commands racing for one revision would fail here.
    const results = await Promise.all(Array.from({ length: 50 }, () => repository.handle('counter-a', counter, { type: 'Count', data: {} }, ctx, { retries: 0 })));
    expect(results.map((r) => r.state.last).sort((a, b) => a - b)).toEqual(Array.from({ length: 50 }, (_, i) => i + 1));
    expect((await store.readStream('counter-a')).map((e) => (e.data as { n: number }).n)).toEqual(Array.from({ length: 50 }, (_, i) => i + 1));
  });

  it('folds each event once, and sees what another process appended since', async () => {
    const folds = new StreamFolds(store);
    const repository = new EventSourcedRepository(store, folds);
    for (let i = 0; i < 5; i++) await repository.handle('counter-b', counter, { type: 'Count', data: {} }, ctx);
    expect((await repository.load('counter-b', counter)).state).toEqual({ last: 5, folds: 5 });

    // Another process (its own store connection and repository) appends two events.
    const other = new SqliteEventStore(join(dir, 'events.sqlite'));
    try {
      const elsewhere = new EventSourcedRepository(other);
      await elsewhere.handle('counter-b', counter, { type: 'Count', data: {} }, ctx);
      await elsewhere.handle('counter-b', counter, { type: 'Count', data: {} }, ctx);
    } finally {
      await other.close();
    }
    const loaded = await repository.load('counter-b', counter);
    expect(loaded.state).toEqual({ last: 7, folds: 7 });
    expect(loaded.revision).toBe(6);
    // The next command here chains to the other process's last event and continues the count.
    const next = await repository.handle('counter-b', counter, { type: 'Count', data: {} }, ctx, { retries: 0 });
    expect(next.state.last).toBe(8);
    const events = await store.readStream('counter-b');
    expect(events[7]?.metadata.prevHash).toBe(events[6]?.metadata.hash);
  });

  it('still refuses a stale If-Match and retries a race with another process', async () => {
    const repository = new EventSourcedRepository(store);
    await repository.handle('counter-c', counter, { type: 'Count', data: {} }, ctx);
    await expect(repository.handle('counter-c', counter, { type: 'Count', data: {} }, ctx, { expectedRevision: 5 })).rejects.toBeInstanceOf(WrongExpectedRevisionError);
    const other = new SqliteEventStore(join(dir, 'events.sqlite'));
    try {
      const elsewhere = new EventSourcedRepository(other);
      // Both processes write the same stream at once: each write lands, numbered 2..11 without a gap.
      await Promise.all(Array.from({ length: 10 }, (_, i) => (i % 2 === 0 ? repository : elsewhere).handle('counter-c', counter, { type: 'Count', data: {} }, ctx, { retries: 20 })));
    } finally {
      await other.close();
    }
    expect((await store.readStream('counter-c')).map((e) => (e.data as { n: number }).n)).toEqual(Array.from({ length: 11 }, (_, i) => i + 1));
  });
});
