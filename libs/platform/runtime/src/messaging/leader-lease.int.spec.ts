import { setTimeout as sleep } from 'node:timers/promises';
import type { Leases } from '@mreg/platform/event-store';
import { SqliteEventStore } from '@mreg/platform/event-store/sqlite';
import { LeaderLease } from './leader-lease';

// The lease's terms on a real store (SQLite's leases table); only the time a renewal takes is stretched, as a
// stalled process or a slow database would.
describe('LeaderLease', () => {
  let store: SqliteEventStore;
  let slowMs = 0;
  let leases: Leases;
  const running: LeaderLease[] = [];

  beforeEach(() => {
    store = new SqliteEventStore(':memory:');
    slowMs = 0;
    const inner = store.leases;
    leases = {
      acquireLease: async (name, holder, ttlMs) => {
        if (slowMs > 0) await sleep(slowMs);
        return inner.acquireLease(name, holder, ttlMs);
      },
      releaseLease: (name, holder) => inner.releaseLease(name, holder),
    };
  });

  afterEach(async () => {
    for (const lease of running.splice(0)) await lease.stop();
    await store.close();
  });

  const lease = (events: string[], ttlMs = 300) => {
    const l = new LeaderLease(leases, 'relay', { ttlMs, onGained: () => void events.push('gained'), onLost: () => void events.push('lost') });
    running.push(l);
    return l;
  };

  const eventually = async (check: () => boolean, what: string) => {
    const deadline = Date.now() + 10_000;
    while (!check()) {
      if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
      await sleep(10);
    }
  };

  it('leads one of two processes; the other takes over when the first stops', async () => {
    const [a, b] = [[] as string[], [] as string[]];
    const first = lease(a);
    const second = lease(b);
    await first.start();
    await second.start();
    expect([first.held, second.held]).toEqual([true, false]);

    await first.stop();
    await eventually(() => second.held, 'the second to lead');

    expect(a).toEqual(['gained', 'lost']);
    expect(b).toEqual(['gained']);
  });

  it('stops counting itself the holder when its renewal is late, and starts the work again once renewed', async () => {
    const events: string[] = [];
    const l = lease(events);
    await l.start();
    expect(events).toEqual(['gained']);

    slowMs = 500;
    await eventually(() => !l.held, 'the margin to run out while a renewal is under way');
    slowMs = 0;
    await eventually(() => l.held, 'a renewal to come back');

    // Nobody else asked, so the lease is still this process's: a new term, and the work starts again.
    expect(events.filter((e) => e === 'gained').length).toBeGreaterThanOrEqual(2);
  });
});
