import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { RecordedEvent } from '@mreg/shared/contracts';
import { topicForStream } from '@mreg/shared/contracts';
import { SqliteEventStore } from '@mreg/platform/event-store/sqlite';
import type { EventStore } from '@mreg/platform/event-store';
import { InProcessEventBus } from '@mreg/platform/event-bus/in-process';
import type { EventBus } from '@mreg/platform/event-bus';
import { SqliteReadStore } from '@mreg/platform/read-store/sqlite';
import { LogRelay, ProjectionRunner } from '@mreg/platform/runtime';
import { generateRegistryHistory, prng } from '@mreg/testing/contracts';
import { COLLECTIONS, versionDocId } from './catalog.documents';
import type { ModelDoc, VersionDoc } from './catalog.documents';
import { compareReadModels, describeComparison, readModelLag, readModelProjections, replayReadModels } from './read-model-replay';

async function allEvents(store: EventStore): Promise<RecordedEvent[]> {
  return store.readAll();
}

/** Polls (bounded) until `check` holds. */
async function eventually(check: () => Promise<boolean>, what: string, timeoutMs = 20_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!(await check())) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 20));
  }
}

/**
 * What a bus may do to one consumer group: deliver each stream's events in order, but interleave streams (and
 * topics, partitions) any way, and deliver an event again (redelivery after a crash, or a second publish).
 * A handler that throws gets the event again later (the bus retries); other streams go on meanwhile.
 */
async function deliverLikeABus(events: readonly RecordedEvent[], handle: (event: RecordedEvent) => Promise<void>, seed: number): Promise<void> {
  const random = prng(seed);
  const lanes = new Map<string, RecordedEvent[]>();
  for (const e of events) {
    const lane = lanes.get(e.streamId) ?? [];
    lane.push(e);
    lanes.set(e.streamId, lane);
  }
  let failuresInARow = 0;
  while (lanes.size > 0) {
    const keys = [...lanes.keys()];
    const key = keys[Math.floor(random() * keys.length)];
    const lane = lanes.get(key) as RecordedEvent[];
    const event = lane[0];
    try {
      await handle(event);
      failuresInARow = 0;
    } catch (error) {
      failuresInARow += 1;
      if (failuresInARow > 10_000) throw error;
      continue;
    }
    // Sometimes the same event comes again right away, or after the rest of its lane moved on a little.
    if (random() < 0.15) await handle(event);
    lane.shift();
    if (random() < 0.05 && lane.length > 0) lane.splice(1, 0, event);
    if (lane.length === 0) lanes.delete(key);
  }
}

describe('read-model replay (embedded adapters)', () => {
  let dir: string;
  let log: SqliteEventStore;
  const stores: SqliteReadStore[] = [];
  const readStore = (name: string) => {
    const store = new SqliteReadStore(join(dir, `${name}.sqlite`));
    stores.push(store);
    return store;
  };

  /** Read models built live: every projection on a runner over an in-process bus, started; `caughtUp` waits for the log. */
  const liveReadModels = async () => {
    const live = readStore('live');
    const bus = new InProcessEventBus();
    const runner = new ProjectionRunner(bus, live);
    for (const projection of readModelProjections(live)) runner.addProjection(projection);
    await runner.start();
    const caughtUp = async () => {
      await eventually(async () => (await readModelLag(log, live)).behind === 0, 'the live projections to catch up');
      await bus.drain();
    };
    const stop = async () => {
      await runner.stop();
      await bus.close();
    };
    return { live, bus, caughtUp, stop };
  };
  /** Fresh read models `name`, replayed from the log. */
  const replayedInto = async (name: string) => {
    const store = readStore(name);
    await replayReadModels(log, store);
    return store;
  };
  /** A replay of the log into fresh read models equals `live`. */
  const expectReplayToEqual = async (live: SqliteReadStore) => {
    const replayed = await replayedInto('replayed');
    expect(describeComparison(await compareReadModels(live, replayed))).toBe('read models equal');
  };

  beforeEach(async () => {
    dir = await mkdtemp(join(tmpdir(), 'mreg-replay-'));
    log = new SqliteEventStore(join(dir, 'events.sqlite'), { pollIntervalMs: 20 });
  });

  afterEach(async () => {
    for (const store of stores.splice(0)) await store.close();
    await log.close();
    await rm(dir, { recursive: true, force: true });
  });

  it('rebuilds every read model from the log, in log order', async () => {
    const history = await generateRegistryHistory(log, { models: 6, versionsPerModel: 3, seed: 7 });
    const target = readStore('replay');
    const summary = await replayReadModels(log, target, { pageSize: 17 });

    expect(summary.events).toBe(history.events);
    expect(summary.applied['audit-trail']).toBe(history.events);
    const events = await allEvents(log);
    expect(summary.lastPosition).toBe(events.at(-1)?.position);

    // Every event of the log has its audit row; models and versions are all there.
    await expect(target.collection(COLLECTIONS.audit).count()).resolves.toBe(history.events);
    await expect(target.collection(COLLECTIONS.models).count()).resolves.toBe(6);
    await expect(target.collection(COLLECTIONS.versions).count()).resolves.toBe(18);
    await expect(target.collection(COLLECTIONS.transitions).count()).resolves.toBe(12);

    // Spot checks against the history: model 1 was renamed, model 2 lost version 1 and was then deleted and restored
    // under another name, model 3 was deleted.
    const renamed = await target.collection<ModelDoc>(COLLECTIONS.models).get('h7-model-1');
    expect(renamed).toMatchObject({ name: 'h7-model-1-renamed', status: 'active', latestVersion: 3, versionCount: 3, aliases: { champion: 2 } });
    const v1 = await target.collection<VersionDoc>(COLLECTIONS.versions).get(versionDocId('h7-model-1', 1));
    expect(v1).toMatchObject({ modelName: 'h7-model-1-renamed', status: 'active', aliases: [] });
    const v2 = await target.collection<VersionDoc>(COLLECTIONS.versions).get(versionDocId('h7-model-1', 2));
    expect(v2).toMatchObject({ stage: 'staging', aliases: ['champion'], status: 'active' });
    expect(v2?.artifactCount).toBeGreaterThan(0);
    await expect(target.collection<ModelDoc>(COLLECTIONS.models).get('h7-model-2')).resolves.toMatchObject({ name: 'h7-model-2-restored', status: 'active', versionCount: 2 });
    await expect(target.collection<VersionDoc>(COLLECTIONS.versions).get(versionDocId('h7-model-2', 1))).resolves.toMatchObject({ status: 'deleted' });
    await expect(target.collection<VersionDoc>(COLLECTIONS.versions).get(versionDocId('h7-model-2', 2))).resolves.toMatchObject({ modelName: 'h7-model-2-restored', status: 'active' });
    await expect(target.collection<ModelDoc>(COLLECTIONS.models).get('h7-model-3')).resolves.toMatchObject({ status: 'deleted' });

    // The replay records progress like the runner, so the rebuilt store has no lag.
    await expect(readModelLag(log, target)).resolves.toEqual({ behind: 0, examples: [] });
  });

  it('is idempotent: replaying again into the same store changes nothing', async () => {
    await generateRegistryHistory(log, { models: 3, seed: 11 });
    const once = await replayedInto('once');
    const twice = await replayedInto('twice');
    await replayReadModels(log, twice);
    const comparison = await compareReadModels(once, twice);
    expect(describeComparison(comparison)).toBe('read models equal');
  });

  it('equals what the relay, the bus and the projection runner build live', async () => {
    await generateRegistryHistory(log, { models: 5, seed: 3 });
    const { live, bus, caughtUp, stop } = await liveReadModels();
    const relay = new LogRelay(log, bus, live);
    await relay.start();
    try {
      await caughtUp();
    } finally {
      await relay.stop();
      await stop();
    }
    await expectReplayToEqual(live);
  });

  it('equals the live read models after the relay died between a publish and its checkpoint and was restarted', async () => {
    await generateRegistryHistory(log, { models: 4, seed: 9 });
    const events = await allEvents(log);
    const victim = events[Math.floor(events.length / 2)];
    const { live, bus, caughtUp, stop } = await liveReadModels();
    let died = false;
    // Publishes, then "dies" before the relay can write its checkpoint.
    const dying: EventBus = {
      publish: async (messages) => {
        if (died) throw new Error('dead');
        await bus.publish(messages);
        if (messages.some((m) => m.event.metadata.eventId === victim.metadata.eventId)) {
          died = true;
          throw new Error('killed after publish');
        }
      },
      subscribe: (t, g, h, o) => bus.subscribe(t, g, h, o),
      publishRaw: (m) => bus.publishRaw(m),
      subscribeRaw: (t, g, h, o) => bus.subscribeRaw(t, g, h, o),
      probe: () => bus.probe(),
      close: () => Promise.resolve(),
    };
    const first = new LogRelay(log, dying, live);
    const second = new LogRelay(log, bus, live);
    try {
      await first.start();
      await eventually(async () => died, 'the relay to die');
      await first.stop();
      await second.start();
      await generateRegistryHistory(log, { models: 2, seed: 10 });
      await caughtUp();
    } finally {
      await first.stop();
      await second.stop();
      await stop();
    }
    await expectReplayToEqual(live);
    await expect(live.collection(COLLECTIONS.audit).count()).resolves.toBe((await allEvents(log)).length);
  });

  // The bus keeps each stream's order and nothing more: streams (and topics) interleave any way, events come
  // twice, a projection that cannot apply an event yet (a version before its model) gets it again later.
  // Whatever the order, the read models must equal the log-order replay.
  it.each([1, 2, 3, 4, 5, 6, 7, 8])('does not depend on the delivery order across streams, nor on duplicates (order %i)', async (order) => {
    await generateRegistryHistory(log, { models: 6, versionsPerModel: 3, seed: 100 + order });
    const events = await allEvents(log);
    const replayed = await replayedInto('replayed');

    const shuffled = readStore('shuffled');
    for (const projection of readModelProjections(shuffled)) {
      const consumed = events.filter((e) => {
        const topic = topicForStream(e.streamId);
        return topic !== undefined && projection.topics.includes(topic);
      });
      await deliverLikeABus(consumed, (e) => projection.handle(e), order * 31 + projection.name.length);
    }
    const comparison = await compareReadModels(replayed, shuffled);
    expect(describeComparison(comparison)).toBe('read models equal');
  });

  it('reports documents missing, extra and different', async () => {
    await generateRegistryHistory(log, { models: 2, seed: 5 });
    const a = await replayedInto('a');
    const b = await replayedInto('b');
    const models = b.collection<ModelDoc>(COLLECTIONS.models);
    await models.apply('h5-model-0', 'tamper', 0, (doc) => ({ ...(doc as ModelDoc), description: 'tampered' }));
    await models.apply('ghost', 'tamper', 0, () => ({ id: 'ghost' }) as ModelDoc);
    const versions = a.collection<VersionDoc>(COLLECTIONS.versions);
    await versions.apply('only-in-a', 'tamper', 0, () => ({ id: 'only-in-a' }) as VersionDoc);
    // Bookkeeping is never compared.
    await b.collection('checkpoints').apply('relay', '$all', 1, () => ({ position: '1' }));

    const comparison = await compareReadModels(a, b, [...Object.values(COLLECTIONS), 'checkpoints', 'projection_progress']);
    expect(comparison.equal).toBe(false);
    expect(comparison.differenceCount).toBe(3);
    expect(comparison.differences.map((d) => [d.kind, d.collection, d.id]).sort()).toEqual([
      ['different', 'models', 'h5-model-0'],
      ['extra', 'models', 'ghost'],
      ['missing', 'model_versions', 'only-in-a'],
    ]);
    expect(comparison.differences.find((d) => d.kind === 'different')).toMatchObject({ a: { description: 'model 0, described' }, b: { description: 'tampered' } });
    expect(Object.keys(comparison.counts)).toEqual(Object.values(COLLECTIONS));
  });
});
