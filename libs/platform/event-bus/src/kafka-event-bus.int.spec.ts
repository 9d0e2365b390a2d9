import { randomUUID } from 'node:crypto';
import type { Admin } from 'kafkajs';
import { Kafka, logLevel } from 'kafkajs';
import { cloudEventHeaders } from '@mreg/shared/contracts';
import { busMessage, describeEventBusContract, sleep, uniqueSuffix, waitUntil } from '@mreg/testing/contracts';
import { announceSkip, serverOrSkip } from '@mreg/testing/infra';
import type { BusMessage, BusSubscription, MessageHandler } from './event-bus.port';
import { DLQ_HEADERS } from './in-process-event-bus';
import type { KafkaEventBusOptions } from './kafka-event-bus';
import { KAFKA_DLQ_HEADERS, KafkaEventBus, ensureTopics } from './kafka-event-bus';

const SUITE = 'KafkaEventBus against a real broker';

// Rebalances are the slow part of Kafka tests: members notice one between fetches and on heartbeats, so both
// are short here (the broker runs with group.initial.rebalance.delay.ms=0). Session timeout: broker minimum is 6 s.
const TEST_OPTIONS = {
  clientId: 'mreg-int-test',
  partitions: 3,
  maxRetries: 3,
  retryBackoffMs: 20,
  consumer: { sessionTimeoutMs: 10_000, rebalanceTimeoutMs: 10_000, heartbeatIntervalMs: 500, maxWaitTimeMs: 100, joinTimeoutMs: 30_000 },
} satisfies Omit<KafkaEventBusOptions, 'brokers'>;

/** Longest wait for an expected delivery; generous, it only matters when something is broken. */
const TIMEOUT_MS = 30_000;
/** How long to watch for deliveries that must not happen. */
const QUIET_MS = 1000;

const brokers = kafkaBrokers();

if (brokers === undefined) {
  describe.skip(`${SUITE} [SKIPPED: kafka unavailable]`, () => it('needs a real broker', () => undefined));
} else {
  describe(SUITE, () => {
    const newBus = (options: Partial<KafkaEventBusOptions> = {}): KafkaEventBus => new KafkaEventBus({ brokers, ...TEST_OPTIONS, ...options });

    describeEventBusContract(
      'KafkaEventBus',
      async () => {
        const bus = newBus();
        await bus.connect();
        return { bus, cleanup: () => bus.close() };
      },
      { timeoutMs: TIMEOUT_MS, quietMs: QUIET_MS },
    );

    describe('Kafka specifics', () => {
      let bus: KafkaEventBus;
      let admin: Admin;
      const extraBuses: KafkaEventBus[] = [];
      const subscriptions: BusSubscription[] = [];
      const subscribe = async (...args: Parameters<KafkaEventBus['subscribe']>): Promise<BusSubscription> => {
        const subscription = await bus.subscribe(...args);
        subscriptions.push(subscription);
        return subscription;
      };
      const extraBus = (options: Partial<KafkaEventBusOptions> = {}): KafkaEventBus => {
        const extra = newBus(options);
        extraBuses.push(extra);
        return extra;
      };
      const waitFor = (condition: () => boolean, what: string): Promise<void> => waitUntil(condition, what, TIMEOUT_MS);

      beforeAll(async () => {
        bus = newBus();
        await bus.connect();
        admin = new Kafka({ brokers: [brokers], clientId: 'mreg-int-test-admin', logLevel: logLevel.ERROR }).admin();
        await admin.connect();
      });

      afterEach(async () => {
        await Promise.all(subscriptions.splice(0).map((s) => s.close()));
        await Promise.all(extraBuses.splice(0).map((b) => b.close()));
      });

      afterAll(async () => {
        await bus?.close();
        await admin?.disconnect();
      });

      it('delivers a message published twice twice: the bus does not dedupe, consumers do (by event id)', async () => {
        const topic = newTopic();
        const received = recorder();
        await subscribe([topic], newGroup('twice'), received.handler);
        const message = busMessage(topic, 'model-1', 0);

        // What a relay does when it crashes between publishing and storing its checkpoint.
        await bus.publish([message]);
        await bus.publish([message]);
        await waitFor(() => received.messages.length >= 2, 'both copies');
        await sleep(QUIET_MS);

        expect(received.messages.map((m) => m.event.metadata.eventId)).toEqual([message.event.metadata.eventId, message.event.metadata.eventId]);
      });

      it('round-trips key, headers and the event (bigint position included) and adds traceparent from the metadata', async () => {
        const topic = newTopic();
        const received = recorder();
        await subscribe([topic], newGroup('headers'), received.handler);
        const traceparent = '00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01';
        const base = busMessage(topic, 'version-m1-3', 7, { ce_specversion: '1.0', ce_source: '/mreg/registration', 'content-type': 'application/json' });
        const traced: BusMessage = {
          ...base,
          event: { ...base.event, position: 2n ** 62n + 5n, metadata: { ...base.event.metadata, traceparent, causationId: 'cause-1' } },
        };
        // A traceparent header set by the publisher (its producer span) wins over the stored one.
        const ownHeader = busMessage(topic, 'version-m1-3', 8, { traceparent: '00-11111111111111111111111111111111-2222222222222222-01' });

        await bus.publish([traced, ownHeader]);
        await waitFor(() => received.messages.length >= 2, 'both messages');

        const [first, second] = received.messages;
        expect(first.key).toBe('version-m1-3');
        expect(first.topic).toBe(topic);
        expect(first.event).toEqual(traced.event);
        expect(typeof first.event.position).toBe('bigint');
        // The envelope travels as CloudEvents attributes (decision 19); the publisher's own headers come on top.
        expect(first.headers).toEqual({ ...cloudEventHeaders(traced.event), ...traced.headers, traceparent });
        expect(second.headers).toEqual({ ...cloudEventHeaders(ownHeader.event), ...ownHeader.headers });
      });

      it('retries with backoff, then dead-letters to <topic>.dlq with where it came from, commits past it and moves on', async () => {
        const topic = newTopic();
        const group = newGroup('poisoned');
        const dead = recorder();
        await subscribe([`${topic}.dlq`], newGroup('dlq-watch'), dead.handler);
        // ce_type names the event's type on the wire (decision 19), so it says Counted, as the event is.
        const poison = busMessage(topic, 'model-1', 0, { ce_type: 'io.mreg.test.Counted.v1' });
        const next = busMessage(topic, 'model-1', 1);
        let poisonAttempts = 0;
        const handled = recorder();
        await subscribe([topic], group, async (message) => {
          if (message.event.metadata.eventId !== poison.event.metadata.eventId) return handled.handler(message);
          poisonAttempts++;
          throw new Error(`poison attempt ${poisonAttempts}`);
        });

        await bus.publish([poison, next]);
        await waitFor(() => dead.messages.length >= 1 && handled.messages.length >= 1, 'the dead letter and the next message');

        expect(poisonAttempts).toBe(TEST_OPTIONS.maxRetries + 1);
        const letter = dead.messages[0];
        expect(letter.topic).toBe(`${topic}.dlq`);
        expect(letter.key).toBe(poison.key);
        expect(letter.event).toEqual(poison.event);
        expect(letter.headers).toMatchObject({
          ...poison.headers,
          [DLQ_HEADERS.sourceTopic]: topic,
          [DLQ_HEADERS.group]: group,
          [DLQ_HEADERS.attempts]: String(TEST_OPTIONS.maxRetries + 1),
          [DLQ_HEADERS.error]: `poison attempt ${TEST_OPTIONS.maxRetries + 1}`,
          // First record of its partition.
          [KAFKA_DLQ_HEADERS.offset]: '0',
        });
        expect(letter.headers[KAFKA_DLQ_HEADERS.partition]).toMatch(/^[0-2]$/);
        expect(handled.messages.map((m) => m.event.metadata.eventId)).toEqual([next.event.metadata.eventId]);
        // Both records are acknowledged: the group's offset on that partition is past them.
        const partition = Number(letter.headers[KAFKA_DLQ_HEADERS.partition]);
        let offset = '-1';
        await waitUntilAsync(
          async () => void (offset = await committedOffset(admin, group, topic, partition)),
          () => offset === '2',
          'the commit past both records',
        );
      });

      it('a group restarted in a new process resumes after its last commit: nothing acknowledged comes again, nothing is lost', async () => {
        const topic = newTopic();
        const group = newGroup('restarted');
        const keys = ['model-a', 'model-b', 'model-c', 'model-d', 'model-e', 'model-f'];
        const batch = (from: number): BusMessage[] => Array.from({ length: 12 }, (_, i) => busMessage(topic, keys[(from + i) % keys.length], from + i));

        const before = extraBus();
        const first = recorder();
        await before.subscribe([topic], group, first.handler);
        await bus.publish(batch(0));
        await waitFor(() => first.messages.length >= 12, 'the first 12 messages');
        await before.close();

        await bus.publish(batch(12));
        const after = extraBus();
        const second = recorder();
        await after.subscribe([topic], group, second.handler, { fromBeginning: true });
        await waitFor(() => second.messages.length >= 12, 'the 12 messages published while the group was down');
        await sleep(QUIET_MS);

        expect(first.messages.map(seqOf).sort(byNumber)).toEqual(range(0, 12));
        expect(second.messages.map(seqOf).sort(byNumber)).toEqual(range(12, 24));
        for (const key of keys) {
          const seqs = second.messages.filter((m) => m.key === key).map(seqOf);
          expect(seqs).toEqual([...seqs].sort(byNumber));
        }
      });

      it('a message still being retried when its subscription closes is not acknowledged: the group gets it again', async () => {
        const topic = newTopic();
        const group = newGroup('interrupted');
        // A backoff far longer than the test: close must cut it short.
        const slow = extraBus({ maxRetries: 5, retryBackoffMs: 60_000 });
        let attempts = 0;
        const failing = await slow.subscribe([topic], group, async () => {
          attempts++;
          throw new Error('database down');
        });
        const message = busMessage(topic, 'model-1', 0);
        await bus.publish([message]);
        await waitFor(() => attempts >= 1, 'the first attempt');

        await failing.close();
        const later = recorder();
        await subscribe([topic], group, later.handler);
        await waitFor(() => later.messages.length >= 1, 'the redelivery');

        expect(attempts).toBe(1);
        expect(later.messages.map((m) => m.event.metadata.eventId)).toEqual([message.event.metadata.eventId]);
        expect(await recordCount(admin, `${topic}.dlq`)).toBe(0);
      });

      it('close lets the handler in flight finish and commit, is idempotent, and refuses further use', async () => {
        const topic = newTopic();
        const group = newGroup('closing');
        const closing = extraBus();
        let started = 0;
        let finished = 0;
        await closing.subscribe([topic], group, async () => {
          started++;
          await sleep(300);
          finished++;
        });
        await bus.publish([busMessage(topic, 'model-1', 0)]);
        await waitFor(() => started >= 1, 'the handler to start');

        await Promise.all([closing.close(), closing.close()]);

        expect(finished).toBe(1);
        await expect(closing.publish([busMessage(topic, 'model-1', 1)])).rejects.toThrow('closed');
        await expect(closing.subscribe([topic], group, async () => undefined)).rejects.toThrow('closed');
        await expect(closing.probe()).rejects.toThrow('closed');
        // The handled message was committed before close returned: the group's next member does not get it.
        const marker = busMessage(topic, 'model-1', 2);
        const next = recorder();
        await subscribe([topic], group, next.handler);
        await bus.publish([marker]);
        await waitFor(() => next.messages.length >= 1, 'the marker');
        await sleep(QUIET_MS);
        expect(next.messages.map(seqOf)).toEqual([2]);
      });

      it('a new group with fromBeginning false starts at the end of every partition', async () => {
        const topic = newTopic();
        const keys = ['model-a', 'model-b', 'model-c', 'model-d', 'model-e', 'model-f'];
        await bus.publish(keys.map((key, i) => busMessage(topic, key, i)));
        const latest = recorder();

        await subscribe([topic], newGroup('latest'), latest.handler, { fromBeginning: false });
        await bus.publish(keys.map((key, i) => busMessage(topic, key, 100 + i)));
        await waitFor(() => latest.messages.length >= keys.length, 'the new messages');
        await sleep(QUIET_MS);

        expect(latest.messages.map(seqOf).sort(byNumber)).toEqual(range(100, 106));
      });

      it('puts all streams of one model on one partition (decision 28), and keeps the stream id as the record key', async () => {
        const topic = newTopic();
        const modelId = randomUUID();
        const keys = [`model-${modelId}`, ...range(1, 9).map((n) => `version-${modelId}-${n}`), `artifacts-${modelId}-2`, `policy-${modelId}`];
        await bus.publish(keys.map((key, i) => busMessage(topic, key, i)));

        const offsets = await admin.fetchTopicOffsets(topic);
        const used = offsets.filter((p) => Number(p.high) > 0);
        expect(used).toHaveLength(1);
        expect(Number(used[0]?.high)).toBe(keys.length);
        const got = recorder();
        await subscribe([topic], newGroup('keys'), got.handler);
        await waitFor(() => got.messages.length >= keys.length, 'every message');
        expect(got.messages.map((m) => m.key)).toEqual(keys);
      });

      it('dead-letters a record that is not a bus message without calling the handler', async () => {
        const topic = newTopic();
        await ensureTopics(brokers, [topic], 1);
        const producer = new Kafka({ brokers: [brokers], clientId: 'mreg-int-test-raw', logLevel: logLevel.ERROR }).producer({ allowAutoTopicCreation: false });
        await producer.connect();
        try {
          await producer.send({ topic, messages: [{ key: 'model-1', value: 'not json' }] });
        } finally {
          await producer.disconnect();
        }
        const handled = recorder();
        await subscribe([topic], newGroup('raw'), handled.handler);
        const valid = busMessage(topic, 'model-1', 1);
        await bus.publish([valid]);

        await waitFor(() => handled.messages.length >= 1, 'the valid message');
        expect(handled.messages.map(seqOf)).toEqual([1]);
        let deadLetters = 0;
        await waitUntilAsync(
          async () => void (deadLetters = await recordCount(admin, `${topic}.dlq`)),
          () => deadLetters === 1,
          'the raw record in the dead-letter topic',
        );
      });

      it('creates topics up front: each with its .dlq and the configured partitions, existing ones untouched', async () => {
        const [a, b] = [newTopic(), newTopic()];
        expect((await ensureTopics(brokers, [a, b], 2)).sort()).toEqual([a, `${a}.dlq`, b, `${b}.dlq`].sort());
        expect(await ensureTopics(brokers, [a, b], 5)).toEqual([]);
        expect(await partitionCounts(admin, [a, `${a}.dlq`])).toEqual([2, 2]);

        // Topics from the options on connect, topics first seen in publish and subscribe on first use.
        const fromOptions = newTopic();
        const configured = extraBus({ topics: [fromOptions], partitions: 4 });
        await configured.connect();
        const published = newTopic();
        await configured.publish([busMessage(published, 'model-1', 0)]);
        const subscribed = newTopic();
        const sub = await configured.subscribe([subscribed], newGroup('creating'), async () => undefined);
        await sub.close();
        const names = [fromOptions, published, subscribed].flatMap((t) => [t, `${t}.dlq`]);
        expect(await partitionCounts(admin, names)).toEqual(names.map(() => 4));
      });
    });
  });
}

/** The broker from the environment (docs/operations/infra.md order); Docker would need a Kafka container module we do not ship. */
function kafkaBrokers(): string | undefined {
  const url = serverOrSkip('kafka', SUITE);
  if (url !== 'docker') return url;
  announceSkip(SUITE, 'a Docker engine is there but no Kafka container is wired up; set MREG_KAFKA_BROKERS');
  return undefined;
}

function newTopic(): string {
  return `mreg.kafka-test-${uniqueSuffix()}.events.v1`;
}

function newGroup(label: string): string {
  return `kafka-test-${label}-${randomUUID()}`;
}

function recorder(): { messages: BusMessage[]; handler: MessageHandler } {
  const messages: BusMessage[] = [];
  return { messages, handler: async (message) => void messages.push(message) };
}

function seqOf(message: BusMessage): number {
  return (message.event.data as { seq: number }).seq;
}

function range(from: number, to: number): number[] {
  return Array.from({ length: to - from }, (_, i) => from + i);
}

function byNumber(a: number, b: number): number {
  return a - b;
}

/** Bounded polling for a condition that needs I/O to check. */
async function waitUntilAsync(refresh: () => Promise<void>, condition: () => boolean, what: string): Promise<void> {
  const deadline = Date.now() + TIMEOUT_MS;
  for (;;) {
    await refresh();
    if (condition()) return;
    if (Date.now() > deadline) throw new Error(`timed out after ${TIMEOUT_MS} ms waiting for ${what}`);
    await sleep(100);
  }
}

async function committedOffset(admin: Admin, group: string, topic: string, partition: number): Promise<string> {
  const [offsets] = await admin.fetchOffsets({ groupId: group, topics: [topic] });
  return offsets.partitions.find((p) => p.partition === partition)?.offset ?? '-1';
}

/** Records ever written to a topic (its partitions' end offsets; nothing is deleted in these short tests). */
async function recordCount(admin: Admin, topic: string): Promise<number> {
  const offsets = await admin.fetchTopicOffsets(topic);
  return offsets.reduce((sum, p) => sum + Number(p.high), 0);
}

async function partitionCounts(admin: Admin, topics: readonly string[]): Promise<number[]> {
  const { topics: found } = await admin.fetchTopicMetadata({ topics: [...topics] });
  return topics.map((name) => found.find((t) => t.name === name)?.partitions.length ?? 0);
}
