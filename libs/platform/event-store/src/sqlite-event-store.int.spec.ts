import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { RecordedEvent } from '@mreg/shared/contracts';
import { WrongExpectedRevisionError } from './event-store.port';
import { describeEventStoreContract, newEvent, waitUntil } from '@mreg/testing/contracts';
import { SqliteEventStore } from './sqlite-event-store';

describeEventStoreContract('SqliteEventStore (file)', async () => {
  const dir = await mkdtemp(join(tmpdir(), 'mreg-event-store-'));
  const store = new SqliteEventStore(join(dir, 'events.db'));
  return {
    store,
    cleanup: async () => {
      await store.close();
      await rm(dir, { recursive: true, force: true });
    },
  };
});

describeEventStoreContract('SqliteEventStore (:memory:)', async () => {
  const store = new SqliteEventStore(':memory:');
  return { store, cleanup: () => store.close() };
});

describe('SqliteEventStore', () => {
  let dir: string;

  beforeEach(async () => {
    dir = await mkdtemp(join(tmpdir(), 'mreg-event-store-'));
  });

  afterEach(async () => {
    await rm(dir, { recursive: true, force: true });
  });

  it('keeps appended events across a reopen of the file', async () => {
    const file = join(dir, 'events.db');
    const first = new SqliteEventStore(file);
    await first.append('model-1', [newEvent('ModelRegistered', { name: 'fraud' })], 'no_stream');
    await first.close();

    const reopened = new SqliteEventStore(file);
    try {
      const read = await reopened.readStream('model-1');
      expect(read.map((e) => [e.type, e.data, e.position])).toEqual([['ModelRegistered', { name: 'fraud' }, 1n]]);
      await expect(reopened.append('model-1', [newEvent('ModelRenamed')], 0)).resolves.toEqual({
        nextExpectedRevision: 1,
        position: 2n,
      });
    } finally {
      await reopened.close();
    }
  });

  it('a live subscription sees appends made through another connection to the same file', async () => {
    const file = join(dir, 'events.db');
    const reader = new SqliteEventStore(file, { pollIntervalMs: 50 });
    const writer = new SqliteEventStore(file);
    const received: RecordedEvent[] = [];
    const subscription = reader.subscribeAll(async (event) => {
      received.push(event);
    });
    try {
      await writer.append('model-1', [newEvent('A'), newEvent('B')], 'no_stream');
      await waitUntil(() => received.length >= 2, 'events from the other connection');
      expect(received.map((e) => e.type)).toEqual(['A', 'B']);
    } finally {
      await subscription.close();
      await writer.close();
      await reader.close();
    }
  });

  it('a conflict between two connections is detected under the write lock', async () => {
    const file = join(dir, 'events.db');
    const one = new SqliteEventStore(file);
    const two = new SqliteEventStore(file);
    try {
      await one.append('model-name-fraud', [newEvent('ModelNameReserved')], 'no_stream');
      await expect(two.append('model-name-fraud', [newEvent('ModelNameReserved')], 'no_stream')).rejects.toMatchObject({
        code: 'WRONG_EXPECTED_REVISION',
        actual: 0,
      });
    } finally {
      await one.close();
      await two.close();
    }
  });

  it('commits appends asked for together in one transaction, failing a conflicting one alone', async () => {
    const store = new SqliteEventStore(join(dir, 'events.sqlite'));
    try {
      // Three appends in one turn of the event loop: one group commit. The second conflicts with the first.
      const outcomes = await Promise.allSettled([store.append('model-a', [newEvent('A1'), newEvent('A2')], 'no_stream'), store.append('model-a', [newEvent('B1')], 'no_stream'), store.append('model-c', [newEvent('C1')], 'no_stream')]);
      expect(outcomes.map((o) => o.status)).toEqual(['fulfilled', 'rejected', 'fulfilled']);
      expect((outcomes[1] as PromiseRejectedResult).reason).toBeInstanceOf(WrongExpectedRevisionError);
      expect((await store.readStream('model-a')).map((e) => e.type)).toEqual(['A1', 'A2']);
      expect((await store.readAll()).map((e) => e.type)).toEqual(['A1', 'A2', 'C1']);
      // An append asked for just before close is committed, not lost.
      const last = store.append('model-c', [newEvent('C2')], 0);
      await store.close();
      await expect(last).resolves.toMatchObject({ nextExpectedRevision: 1 });
    } finally {
      await store.close();
    }
    const reopened = new SqliteEventStore(join(dir, 'events.sqlite'));
    try {
      expect((await reopened.readStream('model-c')).map((e) => e.type)).toEqual(['C1', 'C2']);
    } finally {
      await reopened.close();
    }
  });

  it('close ends its subscriptions', async () => {
    const store = new SqliteEventStore(':memory:');
    const subscription = store.subscribeAll(async () => undefined);
    await store.close();
    await expect(subscription.close()).resolves.toBeUndefined();
  });
});
