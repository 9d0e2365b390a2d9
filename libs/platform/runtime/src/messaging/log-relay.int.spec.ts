import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { OwningContext, RecordedEvent } from '@mreg/shared/contracts';
import { ALL_EVENT_TOPICS, streamContext, topicForStream } from '@mreg/shared/contracts';
import { SqliteEventStore } from '@mreg/platform/event-store/sqlite';
import type { AllEventHandler, EventStore, Leases, SubscribeAllOptions, Subscription } from '@mreg/platform/event-store';
import { InProcessEventBus } from '@mreg/platform/event-bus/in-process';
import type { BusMessage, BusSubscription, EventBus, InboundMessage, InboundMessageHandler, MessageHandler, SubscribeOptions } from '@mreg/platform/event-bus';
import { SqliteReadStore } from '@mreg/platform/read-store/sqlite';
import type { ReadCollection, ReadStore } from '@mreg/platform/read-store';
import { generateRegistryHistory } from '@mreg/testing/contracts';
import { ProjectionRunner } from '../projection/projection-runner';
import type { Projection } from '../projection/projection';
import { LogRelay } from './log-relay';

// "The relay restarted between publish and checkpoint leaves no gap": the relay publishes an event, then dies
// before its checkpoint is written; a fresh relay starts from the stored checkpoint. Every event of the log must
// reach the bus at least once, each stream's events in order with nothing skipped, and idempotent consumers must
// end where a replay of the log ends.

/** The process "dies" right after its publish of the event at `crashAt` went out (before the checkpoint). */
class CrashAfterPublishBus implements EventBus {
  crashed = false;
  constructor(
    private readonly inner: EventBus,
    private readonly crashAt: (event: RecordedEvent) => boolean,
  ) {}

  async publish(messages: readonly BusMessage[]): Promise<void> {
    if (this.crashed) throw new Error('process is dead');
    await this.inner.publish(messages);
    if (messages.some((m) => this.crashAt(m.event))) {
      this.crashed = true;
      throw new Error('killed after publish, before checkpoint');
    }
  }
  subscribe(topics: readonly string[], group: string, handler: MessageHandler, options?: SubscribeOptions): Promise<BusSubscription> {
    return this.inner.subscribe(topics, group, handler, options);
  }
  publishRaw(messages: readonly InboundMessage[]): Promise<void> {
    return this.inner.publishRaw(messages);
  }
  subscribeRaw(topics: readonly string[], group: string, handler: InboundMessageHandler, options?: SubscribeOptions): Promise<BusSubscription> {
    return this.inner.subscribeRaw(topics, group, handler, options);
  }
  probe(): Promise<void> {
    return this.inner.probe();
  }
  close(): Promise<void> {
    return Promise.resolve();
  }
}

/**
 * The log as one replica's process sees it: `kill()` is its SIGKILL — from then on it reaches no server (no lease
 * renewal, no release, no read), and whatever it still had in flight fails.
 */
class ReplicaLog implements EventStore {
  dead = false;
  constructor(private readonly inner: EventStore) {}
  private alive(): void {
    if (this.dead) throw new Error('process is dead');
  }
  kill(): void {
    this.dead = true;
  }
  readonly leases: Leases = {
    acquireLease: async (name, holder, ttlMs) => {
      this.alive();
      return (await this.inner.leases?.acquireLease(name, holder, ttlMs)) ?? false;
    },
    releaseLease: async (name, holder) => {
      this.alive();
      await this.inner.leases?.releaseLease(name, holder);
    },
  };
  append(...args: Parameters<EventStore['append']>) {
    this.alive();
    return this.inner.append(...args);
  }
  readStream(...args: Parameters<EventStore['readStream']>) {
    this.alive();
    return this.inner.readStream(...args);
  }
  readAll(...args: Parameters<EventStore['readAll']>) {
    this.alive();
    return this.inner.readAll(...args);
  }
  subscribeAll(handler: AllEventHandler, options?: SubscribeAllOptions): Subscription {
    return this.inner.subscribeAll(async (event) => {
      this.alive();
      await handler(event);
    }, options);
  }
  close(): Promise<void> {
    return Promise.resolve();
  }
}

/** The checkpoint write fails once `failAfter` has been published (the publish went out; the write did not). */
class FailingCheckpointStore implements ReadStore {
  failing = false;
  constructor(private readonly inner: ReadStore) {}
  collection<T extends object>(name: string): ReadCollection<T> {
    const collection = this.inner.collection<T>(name);
    if (name !== 'checkpoints') return collection;
    return {
      get: (id) => collection.get(id),
      apply: async (id, streamId, revision, change) => {
        if (this.failing) throw new Error('killed before the checkpoint write');
        return collection.apply(id, streamId, revision, change);
      },
      appliedRevision: (id, streamId) => collection.appliedRevision(id, streamId),
      find: (query) => collection.find(query),
      count: (filter) => collection.count(filter),
    };
  }
  clear(): Promise<void> {
    return this.inner.clear();
  }
  close(): Promise<void> {
    return Promise.resolve();
  }
}

/** An idempotent per-stream fold, written like the real projections (revision-guarded applies). */
interface StreamDoc {
  readonly id: string;
  readonly revisions: readonly number[];
  readonly types: readonly string[];
}

class StreamFoldProjection implements Projection {
  readonly name = 'stream-fold';
  readonly topics = ALL_EVENT_TOPICS;
  constructor(private readonly store: ReadStore) {}
  async handle(event: RecordedEvent): Promise<void> {
    await this.store.collection<StreamDoc>('stream_fold').apply(event.streamId, event.streamId, event.streamRevision, (doc) => ({
      id: event.streamId,
      revisions: [...(doc?.revisions ?? []), event.streamRevision],
      types: [...(doc?.types ?? []), event.type],
    }));
  }
}

async function eventually(check: () => boolean | Promise<boolean>, what: string, timeoutMs = 20_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!(await check())) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 10));
  }
}

/**
 * What one consumer group saw, per stream: the first time each revision arrived must be in revision order with
 * none skipped (later arrivals are redeliveries, allowed).
 */
function gapsAndDisorder(received: readonly RecordedEvent[]): string[] {
  const seen = new Map<string, number>();
  const problems: string[] = [];
  for (const e of received) {
    const last = seen.get(e.streamId) ?? -1;
    if (e.streamRevision <= last) continue;
    if (e.streamRevision !== last + 1) problems.push(`${e.streamId}: revision ${e.streamRevision} arrived after ${last}`);
    seen.set(e.streamId, e.streamRevision);
  }
  return problems;
}

describe('LogRelay: restarted between publish and checkpoint', () => {
  let dir: string;
  let log: SqliteEventStore;
  let readStore: SqliteReadStore;
  let bus: InProcessEventBus;
  let received: RecordedEvent[];
  let runner: ProjectionRunner;
  const relays: LogRelay[] = [];

  beforeEach(async () => {
    dir = await mkdtemp(join(tmpdir(), 'mreg-relay-'));
    log = new SqliteEventStore(join(dir, 'events.sqlite'), { pollIntervalMs: 20 });
    readStore = new SqliteReadStore(join(dir, 'read-models.sqlite'));
    bus = new InProcessEventBus();
    received = [];
    await bus.subscribe(ALL_EVENT_TOPICS, 'recorder', async ({ event }) => void received.push(event));
    runner = new ProjectionRunner(bus, readStore);
    runner.addProjection(new StreamFoldProjection(readStore));
    await runner.start();
  });

  afterEach(async () => {
    for (const relay of relays.splice(0)) await relay.stop();
    await runner.stop();
    await bus.close();
    await readStore.close();
    await log.close();
    await rm(dir, { recursive: true, force: true });
  });

  const relay = (eventBus: EventBus, checkpoints: ReadStore, options: { name?: string; contexts?: readonly OwningContext[]; store?: EventStore; leaseTtlMs?: number } = {}) => {
    const r = new LogRelay(options.store ?? log, eventBus, checkpoints, options.name ?? 'relay', { contexts: options.contexts, leaseTtlMs: options.leaseTtlMs ?? 600 });
    relays.push(r);
    return r;
  };

  /** Waits until every event of the log (of the given topics) reached the recorder and the fold caught up. */
  const allDelivered = async (events: readonly RecordedEvent[]) => {
    const ids = new Set(events.map((e) => e.metadata.eventId));
    await eventually(() => {
      const got = new Set(received.map((e) => e.metadata.eventId));
      return [...ids].every((id) => got.has(id));
    }, 'every logged event to be delivered');
    await bus.drain();
  };

  /** The fold as a replay of the log computes it. */
  const foldOfLog = (events: readonly RecordedEvent[]) => {
    const docs = new Map<string, StreamDoc>();
    for (const e of events) {
      const doc = docs.get(e.streamId);
      docs.set(e.streamId, { id: e.streamId, revisions: [...(doc?.revisions ?? []), e.streamRevision], types: [...(doc?.types ?? []), e.type] });
    }
    return docs;
  };

  const expectFoldEqualsReplay = async (events: readonly RecordedEvent[]) => {
    const expected = foldOfLog(events);
    const live = readStore.collection<StreamDoc>('stream_fold');
    expect(await live.count()).toBe(expected.size);
    for (const [id, doc] of expected) expect(await live.get(id)).toEqual(doc);
  };

  const logged = async (store: EventStore) => (await store.readAll()).filter((e) => topicForStream(e.streamId) !== undefined);

  it.each([
    ['early', 0.1],
    ['midway', 0.5],
    ['at the last event', 1],
  ])('the bus took the event, the process died before the checkpoint (%s): republished, no gap', async (_label, at) => {
    await generateRegistryHistory(log, { models: 4, seed: 21 });
    const events = await logged(log);
    const victim = events[Math.min(events.length - 1, Math.floor(events.length * at))];

    const dying = new CrashAfterPublishBus(bus, (e) => e.metadata.eventId === victim.metadata.eventId);
    const first = relay(dying, readStore);
    await first.start();
    await eventually(() => dying.crashed, 'the relay to crash');
    await first.stop();
    // The victim is on the bus, the checkpoint is before it.
    const checkpoint = await readStore.collection<{ position: string }>('checkpoints').get('relay');
    expect(BigInt(checkpoint?.position ?? '0')).toBeLessThan(victim.position);
    await bus.drain();
    expect(received.some((e) => e.metadata.eventId === victim.metadata.eventId)).toBe(true);

    // Restarted from the stored checkpoint, with more writes arriving meanwhile.
    await relay(bus, readStore).start();
    await generateRegistryHistory(log, { models: 2, seed: 22 });
    const all = await logged(log);
    await allDelivered(all);

    expect(gapsAndDisorder(received)).toEqual([]);
    // At least once: the victim twice, nothing else repeated.
    const counts = new Map<string, number>();
    for (const e of received) counts.set(e.metadata.eventId, (counts.get(e.metadata.eventId) ?? 0) + 1);
    expect([...counts].filter(([, n]) => n > 1)).toEqual([[victim.metadata.eventId, 2]]);
    expect(counts.size).toBe(all.length);
    await expectFoldEqualsReplay(all);
  });

  it('the checkpoint write failed after the publish: the relay resubscribes in-process without a gap', async () => {
    await generateRegistryHistory(log, { models: 3, seed: 23 });
    const events = await logged(log);
    const failing = new FailingCheckpointStore(readStore);
    const victim = events[Math.floor(events.length / 3)];
    let published = 0;
    const counting: EventBus = {
      publish: async (messages) => {
        await bus.publish(messages);
        published += messages.length;
        // From the victim on, the checkpoint write fails once, then the store recovers.
        if (messages.some((m) => m.event.metadata.eventId === victim.metadata.eventId)) failing.failing = true;
      },
      subscribe: (t, g, h, o) => bus.subscribe(t, g, h, o),
      publishRaw: (m) => bus.publishRaw(m),
      subscribeRaw: (t, g, h, o) => bus.subscribeRaw(t, g, h, o),
      probe: () => bus.probe(),
      close: () => Promise.resolve(),
    };
    const r = relay(counting, failing);
    await r.start();
    await eventually(() => failing.failing, 'the checkpoint write to fail');
    failing.failing = false;
    await allDelivered(events);
    expect(published).toBeGreaterThanOrEqual(events.length);
    expect(gapsAndDisorder(received)).toEqual([]);
    await expectFoldEqualsReplay(events);
  });

  it('a relay stopped cleanly and started again publishes every event exactly once', async () => {
    await generateRegistryHistory(log, { models: 3, seed: 24 });
    const first = relay(bus, readStore);
    await first.start();
    await eventually(() => received.length > 20, 'some events to be relayed');
    await first.stop();
    await relay(bus, readStore).start();
    await generateRegistryHistory(log, { models: 2, seed: 25 });
    const all = await logged(log);
    await allDelivered(all);
    expect(received.map((e) => e.metadata.eventId).sort()).toEqual(all.map((e) => e.metadata.eventId).sort());
    expect(gapsAndDisorder(received)).toEqual([]);
    await expectFoldEqualsReplay(all);
  });

  it('service relays (own prefixes and topic, own checkpoints) each recover from a crash without a gap', async () => {
    await generateRegistryHistory(log, { models: 4, seed: 26 });
    const events = await logged(log);
    const services: { name: string; contexts: OwningContext[] }[] = [
      { name: 'registration-relay', contexts: ['registration'] },
      { name: 'governance-relay', contexts: ['governance'] },
      { name: 'artifact-relay', contexts: ['artifact'] },
    ];
    for (const [i, service] of services.entries()) {
      const own = events.filter((e) => streamContext(e.streamId) === service.contexts[0]);
      const victim = own[Math.floor(own.length / (i + 2))];
      const dying = new CrashAfterPublishBus(bus, (e) => e.metadata.eventId === victim.metadata.eventId);
      const first = relay(dying, readStore, service);
      await first.start();
      await eventually(() => dying.crashed, `${service.name} to crash`);
      await first.stop();
      await relay(bus, readStore, service).start();
    }
    await generateRegistryHistory(log, { models: 2, seed: 27 });
    const all = await logged(log);
    await allDelivered(all);
    expect(gapsAndDisorder(received)).toEqual([]);
    const counts = new Map<string, number>();
    for (const e of received) counts.set(e.metadata.eventId, (counts.get(e.metadata.eventId) ?? 0) + 1);
    expect(counts.size).toBe(all.length);
    // Each relay republished its victim once (3 duplicates at most), nothing was published by the wrong relay.
    expect([...counts.values()].filter((n) => n > 1).length).toBe(3);
    await expectFoldEqualsReplay(all);
  });
});

// Decision 28: replicas of a service each run the relay; the lease beside the log lets one of them publish.
describe('LogRelay: replicas of a service', () => {
  let dir: string;
  let log: SqliteEventStore;
  let readStore: SqliteReadStore;
  let bus: InProcessEventBus;
  let received: RecordedEvent[];
  const relays: LogRelay[] = [];

  beforeEach(async () => {
    dir = await mkdtemp(join(tmpdir(), 'mreg-relay-replicas-'));
    log = new SqliteEventStore(join(dir, 'events.sqlite'), { pollIntervalMs: 20 });
    readStore = new SqliteReadStore(join(dir, 'read-models.sqlite'));
    bus = new InProcessEventBus();
    received = [];
    await bus.subscribe(ALL_EVENT_TOPICS, 'recorder', async ({ event }) => void received.push(event));
  });

  afterEach(async () => {
    for (const r of relays.splice(0)) await r.stop();
    await bus.close();
    await readStore.close();
    await log.close();
    await rm(dir, { recursive: true, force: true });
  });

  const replica = (store: EventStore, eventBus: EventBus = bus) => {
    const r = new LogRelay(store, eventBus, readStore, 'registration-relay', { contexts: ['registration'], leaseTtlMs: 600 });
    relays.push(r);
    return r;
  };
  const own = async () => (await log.readAll()).filter((e) => streamContext(e.streamId) === 'registration');
  const countsOf = (events: readonly RecordedEvent[]) => {
    const counts = new Map<string, number>();
    for (const e of events) counts.set(e.metadata.eventId, (counts.get(e.metadata.eventId) ?? 0) + 1);
    return counts;
  };
  const allDelivered = async (events: readonly RecordedEvent[]) => {
    await eventually(() => {
      const got = new Set(received.map((e) => e.metadata.eventId));
      return events.every((e) => got.has(e.metadata.eventId));
    }, 'every event of the relayed streams to be delivered');
    await bus.drain();
  };

  it('two replicas running side by side publish every event exactly once, and only one of them publishes', async () => {
    const [a, b] = [replica(log), replica(log)];
    await Promise.all([a.start(), b.start()]);
    await generateRegistryHistory(log, { models: 4, seed: 31 });
    const events = await own();

    await allDelivered(events);

    expect([a.publishing, b.publishing].filter(Boolean)).toHaveLength(1);
    const counts = countsOf(received);
    expect(counts.size).toBe(events.length);
    expect([...counts.values()].every((n) => n === 1)).toBe(true);
    expect(gapsAndDisorder(received)).toEqual([]);
  });

  it('the publishing replica dies in the middle: the other takes over from the checkpoint, with no gap', async () => {
    const [dyingLog, survivingLog] = [new ReplicaLog(log), new ReplicaLog(log)];
    const first = replica(dyingLog);
    await first.start();
    const second = replica(survivingLog);
    await second.start();
    expect(first.publishing).toBe(true);
    expect(second.publishing).toBe(false);
    await generateRegistryHistory(log, { models: 3, seed: 32 });
    await eventually(() => received.length > 10, 'some events to be relayed by the first replica');

    dyingLog.kill();
    await generateRegistryHistory(log, { models: 3, seed: 33 });
    const events = await own();
    await allDelivered(events);

    expect(second.publishing).toBe(true);
    expect(first.publishing).toBe(false);
    // At least once across the handover: nothing missing, in order; at most the events in flight when it died twice.
    expect(countsOf(received).size).toBe(events.length);
    expect(gapsAndDisorder(received)).toEqual([]);
    expect([...countsOf(received).values()].filter((n) => n > 1).length).toBeLessThanOrEqual(1);
  });

  it('a replica that stops cleanly releases the lease: the other publishes without waiting for it to expire', async () => {
    // The first one's lease would last a minute unrenewed; the second asks every 0.2 s.
    const first = new LogRelay(log, bus, readStore, 'registration-relay', { contexts: ['registration'], leaseTtlMs: 60_000 });
    relays.push(first);
    await first.start();
    const second = replica(log);
    await second.start();
    await generateRegistryHistory(log, { models: 2, seed: 34 });
    await allDelivered(await own());
    expect(first.publishing).toBe(true);

    await first.stop();
    await generateRegistryHistory(log, { models: 2, seed: 35 });
    const events = await own();
    await allDelivered(events);

    expect(second.publishing).toBe(true);
    expect(countsOf(received).size).toBe(events.length);
  });
});
