import { randomUUID } from 'node:crypto';
import type { BusMessage, BusSubscription, EventBus, MessageHandler } from '@mreg/platform/event-bus';
import { sleep, uniqueSuffix, waitUntil } from './contract-helpers';

export interface EventBusContractFixture {
  /**
   * The bus under test, configured with at least 2 retries and a short retry backoff (the suite waits for
   * dead letters), so a handler failing twice still gets the message.
   */
  readonly bus: EventBus;
  cleanup(): Promise<void>;
}

export interface EventBusContractOptions {
  /** Longest wait for an expected delivery, in ms (default 15 000). */
  readonly timeoutMs?: number;
  /** How long to watch for unwanted extra deliveries, in ms (default 500). */
  readonly quietMs?: number;
}

/**
 * The behaviour every EventBus adapter must show (ARCHITECTURE.md §2). Every test uses fresh topic and group
 * names, so it runs against a broker that already carries other traffic.
 */
export function describeEventBusContract(
  name: string,
  factory: () => Promise<EventBusContractFixture>,
  options: EventBusContractOptions = {},
): void {
  const timeoutMs = options.timeoutMs ?? 15_000;
  const quietMs = options.quietMs ?? 500;

  describe(`EventBus contract: ${name}`, () => {
    let fixture: EventBusContractFixture;
    let bus: EventBus;
    const subscriptions: BusSubscription[] = [];

    beforeAll(async () => {
      fixture = await factory();
      bus = fixture.bus;
    });

    afterEach(async () => {
      await Promise.all(subscriptions.splice(0).map((s) => s.close()));
    });

    afterAll(async () => {
      await fixture?.cleanup();
    });

    const newTopic = (): string => `mreg.contract-${uniqueSuffix()}.events.v1`;
    const newGroup = (label: string): string => `contract-${label}-${uniqueSuffix()}`;
    const subscribe = async (...args: Parameters<EventBus['subscribe']>): Promise<BusSubscription> => {
      const subscription = await bus.subscribe(...args);
      subscriptions.push(subscription);
      return subscription;
    };
    /** A handler that records what it gets, in arrival order. */
    const recorder = (): { received: BusMessage[]; handler: MessageHandler } => {
      const received: BusMessage[] = [];
      return { received, handler: async (message) => void received.push(message) };
    };
    const waitFor = (condition: () => boolean, what: string): Promise<void> => waitUntil(condition, what, timeoutMs);

    it('delivers every message to every group, with its key, event and headers', async () => {
      const topic = newTopic();
      const a = recorder();
      const b = recorder();
      await subscribe([topic], newGroup('a'), a.handler);
      await subscribe([topic], newGroup('b'), b.handler);
      const messages = Array.from({ length: 10 }, (_, i) => busMessage(topic, `model-${i % 3}`, i));

      await bus.publish(messages);
      await waitFor(() => a.received.length >= 10 && b.received.length >= 10, 'both groups to get 10 messages');
      await sleep(quietMs);

      for (const group of [a, b]) {
        expect(sortedIds(group.received)).toEqual(sortedIds(messages));
        for (const message of group.received) {
          const sent = messages.find((m) => m.event.metadata.eventId === message.event.metadata.eventId);
          expect(message.topic).toBe(topic);
          expect(message.key).toBe(sent?.key);
          expect(message.event).toEqual(sent?.event);
          expect(message.headers).toMatchObject(sent?.headers ?? {});
        }
      }
    });

    it('gives each message to exactly one member of a group', async () => {
      const topic = newTopic();
      const group = newGroup('shared');
      const one = recorder();
      const two = recorder();
      await subscribe([topic], group, one.handler);
      await subscribe([topic], group, two.handler);
      const messages = Array.from({ length: 30 }, (_, i) => busMessage(topic, `model-${i % 6}`, i));

      await bus.publish(messages);
      await waitFor(() => one.received.length + two.received.length >= 30, '30 deliveries');
      await sleep(quietMs);

      expect(sortedIds([...one.received, ...two.received])).toEqual(sortedIds(messages));
    });

    it('keeps publish order per key within each group, also with slow handlers and several members', async () => {
      const topic = newTopic();
      const keys = ['model-a', 'model-b', 'model-c', 'model-d'];
      const solo = recorder();
      const sharedReceived: BusMessage[] = [];
      const slowShared: MessageHandler = async (message) => {
        // Uneven handling times would reorder a key's messages if the bus ran them concurrently.
        await sleep(seqOf(message) % 3 === 0 ? 5 : 0);
        sharedReceived.push(message);
      };
      await subscribe([topic], newGroup('solo'), solo.handler);
      const sharedGroup = newGroup('shared');
      await subscribe([topic], sharedGroup, slowShared);
      await subscribe([topic], sharedGroup, slowShared);
      const messages = Array.from({ length: 80 }, (_, i) => busMessage(topic, keys[i % keys.length], i));

      // Several publishes, as a relay would do them.
      for (let i = 0; i < messages.length; i += 10) await bus.publish(messages.slice(i, i + 10));
      await waitFor(() => solo.received.length >= 80 && sharedReceived.length >= 80, '80 messages in both groups');

      for (const received of [solo.received, sharedReceived]) {
        for (const key of keys) {
          expect(received.filter((m) => m.key === key).map(seqOf)).toEqual(messages.filter((m) => m.key === key).map(seqOf));
        }
      }
    });

    it('retries a failing handler until it succeeds', async () => {
      const topic = newTopic();
      let attempts = 0;
      const delivered: BusMessage[] = [];
      await subscribe([topic], newGroup('flaky'), async (message) => {
        attempts++;
        if (attempts <= 2) throw new Error(`transient failure ${attempts}`);
        delivered.push(message);
      });
      const message = busMessage(topic, 'model-1', 1);

      await bus.publish([message]);
      await waitFor(() => delivered.length >= 1, 'a successful retry');

      expect(attempts).toBe(3);
      expect(delivered[0].event.metadata.eventId).toBe(message.event.metadata.eventId);
    });

    it('dead-letters a message that keeps failing to <topic>.dlq and goes on with the next one of its key', async () => {
      const topic = newTopic();
      const dead = recorder();
      await subscribe([`${topic}.dlq`], newGroup('dlq-watch'), dead.handler);
      const poison = busMessage(topic, 'model-1', 1);
      const next = busMessage(topic, 'model-1', 2);
      let poisonAttempts = 0;
      const handled: BusMessage[] = [];
      await subscribe([topic], newGroup('strict'), async (message) => {
        if (message.event.metadata.eventId === poison.event.metadata.eventId) {
          poisonAttempts++;
          throw new Error('cannot handle this one');
        }
        handled.push(message);
      });

      await bus.publish([poison, next]);
      await waitFor(() => dead.received.length >= 1 && handled.length >= 1, 'the dead letter and the next message');

      expect(poisonAttempts).toBeGreaterThan(1);
      expect(dead.received[0].key).toBe(poison.key);
      expect(dead.received[0].topic).toBe(`${topic}.dlq`);
      expect(dead.received[0].event.metadata.eventId).toBe(poison.event.metadata.eventId);
      expect(handled.map((m) => m.event.metadata.eventId)).toEqual([next.event.metadata.eventId]);
    });

    it('a new group replays retained messages by default and with fromBeginning', async () => {
      const topic = newTopic();
      const earlier = Array.from({ length: 5 }, (_, i) => busMessage(topic, 'model-1', i));
      await bus.publish(earlier);
      const byDefault = recorder();
      const explicit = recorder();

      await subscribe([topic], newGroup('default'), byDefault.handler);
      await subscribe([topic], newGroup('explicit'), explicit.handler, { fromBeginning: true });
      const later = busMessage(topic, 'model-1', 5);
      await bus.publish([later]);
      await waitFor(() => byDefault.received.length >= 6 && explicit.received.length >= 6, 'earlier and later messages');

      for (const group of [byDefault, explicit]) expect(group.received.map(seqOf)).toEqual([0, 1, 2, 3, 4, 5]);
    });

    it('a new group with fromBeginning false gets only messages published after it subscribed', async () => {
      const topic = newTopic();
      await bus.publish([busMessage(topic, 'model-1', 0), busMessage(topic, 'model-1', 1)]);
      const latest = recorder();

      await subscribe([topic], newGroup('latest'), latest.handler, { fromBeginning: false });
      await bus.publish([busMessage(topic, 'model-1', 2)]);
      await waitFor(() => latest.received.length >= 1, 'the new message');
      await sleep(quietMs);

      expect(latest.received.map(seqOf)).toEqual([2]);
    });

    it('a group that comes back resumes after the messages it already handled', async () => {
      const topic = newTopic();
      const group = newGroup('returning');
      const first = recorder();
      const firstSubscription = await subscribe([topic], group, first.handler);
      await bus.publish([0, 1, 2].map((i) => busMessage(topic, 'model-1', i)));
      await waitFor(() => first.received.length >= 3, 'the first 3 messages');
      await firstSubscription.close();

      await bus.publish([3, 4].map((i) => busMessage(topic, 'model-1', i)));
      const second = recorder();
      await subscribe([topic], group, second.handler, { fromBeginning: true });
      await waitFor(() => second.received.length >= 2, 'the 2 messages published while away');
      await sleep(quietMs);

      expect(second.received.map(seqOf)).toEqual([3, 4]);
    });

    it('one subscription can cover several topics', async () => {
      const topics = [newTopic(), newTopic()];
      const both = recorder();
      await subscribe(topics, newGroup('multi'), both.handler);

      await bus.publish([busMessage(topics[0], 'model-1', 0), busMessage(topics[1], 'model-2', 1)]);
      await waitFor(() => both.received.length >= 2, 'a message from each topic');

      expect(both.received.map((m) => m.topic).sort()).toEqual([...topics].sort());
    });

    it('a closed subscription receives nothing more', async () => {
      const topic = newTopic();
      const gone = recorder();
      const subscription = await subscribe([topic], newGroup('gone'), gone.handler);
      await subscription.close();

      await bus.publish([busMessage(topic, 'model-1', 0)]);
      await sleep(quietMs);

      expect(gone.received).toEqual([]);
    });
  });
}

/** A bus message carrying a recorded event with `data.seq`, keyed like a relay keys it (by stream id). */
export function busMessage(topic: string, key: string, seq: number, headers: Record<string, string> = {}): BusMessage {
  const eventId = randomUUID();
  return {
    topic,
    key,
    headers: { ce_id: eventId, ce_type: 'io.mreg.contract.Counted.v1', ...headers },
    event: {
      streamId: key,
      streamRevision: seq,
      position: BigInt(seq + 1),
      type: 'Counted',
      data: { seq },
      metadata: {
        eventId,
        schemaVersion: 1,
        occurredAt: new Date().toISOString(),
        actor: 'user:contract-test',
        correlationId: randomUUID(),
        prevHash: '',
        hash: '',
      },
    },
  };
}

function seqOf(message: BusMessage): number {
  return (message.event.data as { seq: number }).seq;
}

function sortedIds(messages: readonly BusMessage[]): string[] {
  return messages.map((m) => m.event.metadata.eventId).sort();
}
