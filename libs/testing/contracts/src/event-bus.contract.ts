import { randomUUID } from 'node:crypto';
import { DLQ_HEADERS } from '@mreg/platform/event-bus/in-process';
import type { BusMessage, BusSubscription, EventBus, InboundMessage, InboundMessageHandler, MessageHandler } from '@mreg/platform/event-bus';
import { sleep, uniqueSuffix, waitUntil } from './contract-helpers';
import { newEvent } from './event-store.contract';

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
 * The behaviour every EventBus adapter must show (docs/design.md §2). Every test uses fresh topic and group
 * names, so it runs against a broker that already carries other traffic.
 */
export function describeEventBusContract(name: string, factory: () => Promise<EventBusContractFixture>, options: EventBusContractOptions = {}): void {
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

    it('answers its readiness probe while open', async () => {
      await expect(bus.probe()).resolves.toBeUndefined();
    });

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

      for (const received of [solo.received, sharedReceived]) expectOrderPerKey(received, messages, keys, seqOf);
    });

    it('retries a failing handler until it succeeds', async () => {
      const topic = newTopic();
      const flaky = failingFirst<BusMessage>(2);
      await subscribe([topic], newGroup('flaky'), flaky.handler);
      const message = busMessage(topic, 'model-1', 1);

      await bus.publish([message]);
      await waitFor(() => flaky.delivered.length >= 1, 'a successful retry');

      expect(flaky.attempts).toBe(3);
      expect(flaky.delivered[0].event.metadata.eventId).toBe(message.event.metadata.eventId);
    });

    it('dead-letters a message that keeps failing to <topic>.dlq and goes on with the next one of its key', async () => {
      const topic = newTopic();
      const dead = recorder();
      await subscribe([`${topic}.dlq`], newGroup('dlq-watch'), dead.handler);
      const poison = busMessage(topic, 'model-1', 1);
      const next = busMessage(topic, 'model-1', 2);
      const strict = failingOn<BusMessage>((message) => message.event.metadata.eventId === poison.event.metadata.eventId);
      await subscribe([topic], newGroup('strict'), strict.handler);

      await bus.publish([poison, next]);
      await waitFor(() => dead.received.length >= 1 && strict.handled.length >= 1, 'the dead letter and the next message');

      expect(strict.poisonAttempts).toBeGreaterThan(1);
      expect(dead.received[0].key).toBe(poison.key);
      expect(dead.received[0].topic).toBe(`${topic}.dlq`);
      expect(dead.received[0].event.metadata.eventId).toBe(poison.event.metadata.eventId);
      expect(strict.handled.map((m) => m.event.metadata.eventId)).toEqual([next.event.metadata.eventId]);
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

    describe('raw messages (publishRaw / subscribeRaw)', () => {
      const subscribeRaw = async (...args: Parameters<EventBus['subscribeRaw']>): Promise<BusSubscription> => {
        const subscription = await bus.subscribeRaw(...args);
        subscriptions.push(subscription);
        return subscription;
      };
      const rawRecorder = (): { received: InboundMessage[]; handler: InboundMessageHandler } => {
        const received: InboundMessage[] = [];
        return { received, handler: async (message) => void received.push(message) };
      };
      const sortedRawIds = (messages: readonly InboundMessage[]): string[] => messages.map((m) => m.headers['ce_id'] ?? '').sort();

      it('delivers every raw message to every group with key (also none), value and headers as they were sent', async () => {
        const topic = newTopic();
        const a = rawRecorder();
        const b = rawRecorder();
        await subscribeRaw([topic], newGroup('raw-a'), a.handler);
        await subscribeRaw([topic], newGroup('raw-b'), b.handler);
        const messages = [
          ...Array.from({ length: 6 }, (_, i) => rawMessage(topic, `model-${i % 2}`, i)),
          rawMessage(topic, null, 6),
          // Not JSON at all: a raw subscriber gets it anyway (judging it is its job).
          { topic, key: 'model-0', value: 'not json — ünïcødé', headers: { ce_id: randomUUID(), authorization: 'Bearer x' } },
          { topic, key: 'model-1', value: '', headers: { ce_id: randomUUID() } },
        ];

        await bus.publishRaw(messages);
        await waitFor(() => a.received.length >= messages.length && b.received.length >= messages.length, `both groups to get ${messages.length} messages`);
        await sleep(quietMs);

        for (const group of [a, b]) {
          expect(sortedRawIds(group.received)).toEqual(sortedRawIds(messages));
          for (const message of group.received) {
            const sent = messages.find((m) => m.headers['ce_id'] === message.headers['ce_id']);
            expect(message).toEqual({ topic, key: sent?.key, value: sent?.value, headers: sent?.headers });
          }
        }
      });

      it('keeps publish order per key within a group, also with slow handlers and several members', async () => {
        const topic = newTopic();
        const keys = ['run-a', 'run-b', 'run-c'];
        const received: InboundMessage[] = [];
        const slow: InboundMessageHandler = async (message) => {
          await sleep(rawSeqOf(message) % 3 === 0 ? 5 : 0);
          received.push(message);
        };
        const group = newGroup('raw-order');
        await subscribeRaw([topic], group, slow);
        await subscribeRaw([topic], group, slow);
        const messages = Array.from({ length: 45 }, (_, i) => rawMessage(topic, keys[i % keys.length], i));

        for (let i = 0; i < messages.length; i += 9) await bus.publishRaw(messages.slice(i, i + 9));
        await waitFor(() => received.length >= messages.length, `${messages.length} messages`);

        expectOrderPerKey(received, messages, keys, rawSeqOf);
      });

      it('retries a failing raw handler until it succeeds', async () => {
        const topic = newTopic();
        const flaky = failingFirst<InboundMessage>(2);
        await subscribeRaw([topic], newGroup('raw-flaky'), flaky.handler);
        const message = rawMessage(topic, 'run-1', 1);

        await bus.publishRaw([message]);
        await waitFor(() => flaky.delivered.length >= 1, 'a successful retry');

        expect(flaky.attempts).toBe(3);
        expect(flaky.delivered[0].value).toBe(message.value);
      });

      it('dead-letters a raw message that keeps failing to <topic>.dlq unchanged and goes on with the next one of its key', async () => {
        const topic = newTopic();
        const dead = rawRecorder();
        await subscribeRaw([`${topic}.dlq`], newGroup('raw-dlq-watch'), dead.handler);
        const poison = rawMessage(topic, 'run-1', 1, { authorization: 'Bearer poison' });
        const next = rawMessage(topic, 'run-1', 2);
        const strict = failingOn<InboundMessage>((message) => message.headers['ce_id'] === poison.headers['ce_id']);
        await subscribeRaw([topic], newGroup('raw-strict'), strict.handler);

        await bus.publishRaw([poison, next]);
        await waitFor(() => dead.received.length >= 1 && strict.handled.length >= 1, 'the dead letter and the next message');

        expect(strict.poisonAttempts).toBeGreaterThan(1);
        const letter = dead.received[0];
        expect(letter.topic).toBe(`${topic}.dlq`);
        expect(letter.key).toBe(poison.key);
        expect(letter.value).toBe(poison.value);
        expect(letter.headers).toMatchObject({ ...poison.headers, [DLQ_HEADERS.sourceTopic]: topic, [DLQ_HEADERS.error]: 'cannot handle this one' });
        expect(strict.handled.map((m) => m.headers['ce_id'])).toEqual([next.headers['ce_id']]);
      });

      it('a new raw group with fromBeginning false gets only messages published after it subscribed', async () => {
        const topic = newTopic();
        await bus.publishRaw([rawMessage(topic, 'run-1', 0), rawMessage(topic, 'run-1', 1)]);
        const latest = rawRecorder();

        await subscribeRaw([topic], newGroup('raw-latest'), latest.handler, { fromBeginning: false });
        await bus.publishRaw([rawMessage(topic, 'run-1', 2)]);
        await waitFor(() => latest.received.length >= 1, 'the new message');
        await sleep(quietMs);

        expect(latest.received.map(rawSeqOf)).toEqual([2]);
      });

      it('a raw subscriber sees a recorded event in its wire form: key = stream id, value = its public payload, envelope in ce_* headers', async () => {
        const topic = newTopic();
        const raw = rawRecorder();
        await subscribeRaw([topic], newGroup('raw-wire'), raw.handler);
        const message = busMessage(topic, 'version-m1-1', 4, { ce_type: 'io.mreg.contract.Wired.v1' });

        await bus.publish([message]);
        await waitFor(() => raw.received.length >= 1, 'the event as a raw message');

        const [wire] = raw.received;
        expect(wire.key).toBe('version-m1-1');
        expect(wire.headers).toMatchObject(message.headers);
        // The stored record is not the public contract (decision 19): the data is the value, the rest CloudEvents attributes.
        expect(JSON.parse(wire.value)).toEqual({ seq: 4 });
        expect(wire.headers).toMatchObject({ ce_subject: 'version-m1-1', ce_streamrevision: '4', ce_sequence: '00000000000000000005', ce_id: message.event.metadata.eventId });
      });

      it('an event subscriber dead-letters a raw message that is not a recorded event without calling its handler', async () => {
        const topic = newTopic();
        const dead = rawRecorder();
        await subscribeRaw([`${topic}.dlq`], newGroup('mixed-dlq-watch'), dead.handler);
        const events = recorder();
        await subscribe([topic], newGroup('mixed-events'), events.handler);
        const junk = rawMessage(topic, 'model-1', 0);
        const valid = busMessage(topic, 'model-1', 1);

        await bus.publishRaw([junk]);
        await bus.publish([valid]);
        await waitFor(() => dead.received.length >= 1 && events.received.length >= 1, 'the dead letter and the valid event');
        await sleep(quietMs);

        expect(events.received.map(seqOf)).toEqual([1]);
        expect(dead.received).toHaveLength(1);
        expect(dead.received[0].value).toBe(junk.value);
        expect(dead.received[0].headers).toMatchObject({ [DLQ_HEADERS.sourceTopic]: topic, [DLQ_HEADERS.attempts]: '0' });
      });
    });
  });
}

/** A raw message as a producer outside the registry sends it: JSON `{seq, note}` with a few headers. */
export function rawMessage(topic: string, key: string | null, seq: number, headers: Record<string, string> = {}): InboundMessage {
  return {
    topic,
    key,
    value: JSON.stringify({ seq, note: 'ünïcødé ✓' }),
    headers: { ce_id: randomUUID(), ce_specversion: '1.0', 'content-type': 'application/json', ...headers },
  };
}

function rawSeqOf(message: InboundMessage): number {
  return (JSON.parse(message.value) as { seq: number }).seq;
}

/** Each key's messages arrived in the order they were published (by their `seq`). */
function expectOrderPerKey<M extends { readonly key: string | null }>(received: readonly M[], published: readonly M[], keys: readonly string[], seq: (message: M) => number): void {
  for (const key of keys) {
    expect(received.filter((m) => m.key === key).map(seq)).toEqual(published.filter((m) => m.key === key).map(seq));
  }
}

/** A handler that fails its first `failures` calls, then keeps what it is given. */
function failingFirst<T>(failures: number): { readonly handler: (message: T) => Promise<void>; readonly delivered: T[]; attempts: number } {
  const flaky = {
    delivered: [] as T[],
    attempts: 0,
    handler: async (message: T): Promise<void> => {
      flaky.attempts++;
      if (flaky.attempts <= failures) throw new Error(`transient failure ${flaky.attempts}`);
      flaky.delivered.push(message);
    },
  };
  return flaky;
}

/** A handler that always fails on the messages `isPoison` picks, and keeps the others. */
function failingOn<T>(isPoison: (message: T) => boolean): { readonly handler: (message: T) => Promise<void>; readonly handled: T[]; poisonAttempts: number } {
  const strict = {
    handled: [] as T[],
    poisonAttempts: 0,
    handler: async (message: T): Promise<void> => {
      if (isPoison(message)) {
        strict.poisonAttempts++;
        throw new Error('cannot handle this one');
      }
      strict.handled.push(message);
    },
  };
  return strict;
}

/** A bus message carrying a recorded event with `data.seq`, keyed like a relay keys it (by stream id). */
export function busMessage(topic: string, key: string, seq: number, headers: Record<string, string> = {}): BusMessage {
  const eventId = randomUUID();
  return {
    topic,
    key,
    headers: { ce_id: eventId, ce_type: 'io.mreg.contract.Counted.v1', ...headers },
    event: { ...newEvent('Counted', { seq }, { eventId }), streamId: key, streamRevision: seq, position: BigInt(seq + 1) },
  };
}

function seqOf(message: BusMessage): number {
  return (message.event.data as { seq: number }).seq;
}

function sortedIds(messages: readonly BusMessage[]): string[] {
  return messages.map((m) => m.event.metadata.eventId).sort();
}
