import type { Admin, Consumer, EachBatchPayload, KafkaConfig, KafkaMessage, Producer } from 'kafkajs';
import { Kafka, logLevel as KafkaLogLevel, Partitioners } from 'kafkajs';
import type { ICustomPartitioner } from 'kafkajs';
import { partitionKeyOf } from '@mreg/shared/contracts';
import { CoPartitionedAssigner } from './co-partitioned-assigner';
import type { BusMessage, BusSubscription, EventBus, InboundMessage, InboundMessageHandler, MessageHandler, SubscribeOptions } from './event-bus.port';
import { DLQ_HEADERS } from './in-process-event-bus';
import type { KafkaLogSink } from './kafka-log';
import { KafkaLogFilter, stderrKafkaLogSink } from './kafka-log';
import { decodeBusMessage, decodeHeaders, decodeInboundMessage, encodeBusMessage } from './kafka-message.codec';

export type { KafkaLogRecord, KafkaLogSink } from './kafka-log';

/** Consumer group tuning; the defaults suit production, tests shorten them (see the int spec). */
export interface KafkaConsumerTuning {
  /** A member silent this long is dropped from its group (default 30 000; the broker allows 6 000 … 300 000). */
  readonly sessionTimeoutMs?: number;
  /** How long a group waits for its members to rejoin during a rebalance (default 60 000). */
  readonly rebalanceTimeoutMs?: number;
  /** Heartbeat interval, also during retry backoffs (default 3 000; keep it below a third of the session timeout). */
  readonly heartbeatIntervalMs?: number;
  /**
   * Longest fetch long-poll (default 1 000). A member notices a rebalance only between fetches, so this bounds
   * how long a joining member waits for the others.
   */
  readonly maxWaitTimeMs?: number;
  /** Partitions one subscription handles in parallel, each still in order (default 1). */
  readonly partitionsConsumedConcurrently?: number;
  /** Longest wait in `subscribe` for the group join (default 60 000). */
  readonly joinTimeoutMs?: number;
}

export interface KafkaEventBusOptions {
  /** Bootstrap servers: `host:port` entries, or one comma-separated string as in `MREG_KAFKA_BROKERS`. */
  readonly brokers: string | readonly string[];
  /** Client id shown in broker logs and quotas (default `mreg`). */
  readonly clientId?: string;
  /** Topics created (with their `<topic>.dlq`) by `connect()`; topics first seen later are created then. */
  readonly topics?: readonly string[];
  /** Partitions of topics this bus creates (default 3); existing topics are left as they are. */
  readonly partitions?: number;
  /** Replication factor of topics this bus creates (default -1: the broker's `default.replication.factor`). */
  readonly replicationFactor?: number;
  /** Retries after the first failed delivery before a message goes to `<topic>.dlq` (default 3). */
  readonly maxRetries?: number;
  /** Backoff before the first retry, doubled on each further retry, in ms (default 100). */
  readonly retryBackoffMs?: number;
  /** Cap of the retry backoff, in ms (default 5 000). */
  readonly maxRetryBackoffMs?: number;
  readonly consumer?: KafkaConsumerTuning;
  /** kafkajs log level (default `warn`); lines pass a filter that drops routine noise and collapses repeats. */
  readonly logLevel?: 'error' | 'warn';
  /** Where log lines go (default: JSON lines on stderr). */
  readonly log?: KafkaLogSink;
  readonly connectionTimeoutMs?: number;
  readonly requestTimeoutMs?: number;
  readonly ssl?: KafkaConfig['ssl'];
  readonly sasl?: KafkaConfig['sasl'];
}

/** Kafka-only headers a dead letter carries besides {@link DLQ_HEADERS}: where exactly it came from. */
export const KAFKA_DLQ_HEADERS = {
  partition: 'x-mreg-dlq-source-partition',
  offset: 'x-mreg-dlq-source-offset',
} as const;

/**
 * murmur2 (the Java client's partitioner) over the record key's partition key: a stream's events always share a
 * partition, and so do all streams of one model. The record key stays the stream id.
 */
const byPartitionKey: ICustomPartitioner = () => {
  const murmur2 = Partitioners.DefaultPartitioner();
  return (args) => {
    const key = args.message.key;
    if (key === null || key === undefined) return murmur2(args);
    return murmur2({ ...args, message: { ...args.message, key: partitionKeyOf(key.toString()) } });
  };
};

const DLQ_SUFFIX = '.dlq';
const MAX_ERROR_HEADER_LENGTH = 1000;

/**
 * The production event bus (docs/design.md §2) on Apache Kafka through kafkajs.
 *
 * - Topics are created up front with the admin client (KRaft brokers make kafkajs fail on auto-creation):
 *   `options.topics` on connect, any other topic the first time it is published to or subscribed to, each with
 *   its `<topic>.dlq`.
 * - The producer is idempotent (acks=all, one request in flight), so a retried send never duplicates or
 *   reorders; the partition key is the message key (the stream id), so one aggregate's events stay in order.
 * - Value: the RecordedEvent as JSON (bigint position as a string); headers: the message's headers plus the
 *   W3C `traceparent`. Raw messages (`publishRaw`/`subscribeRaw`) skip that codec: key, value and headers go
 *   over as they are, and a raw subscriber gets every record of its topics, well-formed or not.
 * - Each `subscribe` is one kafkajs consumer in the group. An offset is committed only after the handler
 *   succeeded; a failing handler is retried in-process with backoff, then the message goes to `<topic>.dlq`
 *   and the partition moves on. Delivery is at-least-once: a message published twice is delivered twice, and
 *   a crash or rebalance may redeliver a handled message whose offset was not committed yet, so handlers
 *   dedupe by event id.
 */
export class KafkaEventBus implements EventBus {
  private readonly kafka: Kafka;
  private readonly admin: Admin;
  /** The readiness probe's own admin client: no retries, so a probe is one round trip and leaves nothing behind. */
  private readonly probeAdmin: Admin;
  private readonly producer: Producer;
  private readonly log: KafkaLogFilter;
  private readonly partitions: number;
  private readonly replicationFactor: number;
  private readonly maxRetries: number;
  private readonly retryBackoffMs: number;
  private readonly maxRetryBackoffMs: number;
  private readonly tuning: Required<KafkaConsumerTuning>;
  private readonly knownTopics = new Set<string>();
  /** Topic creation runs one batch at a time, so concurrent first publishes do not race each other. */
  private topicQueue: Promise<void> = Promise.resolve();
  private readonly subscriptions = new Set<BusSubscription>();
  private connecting?: Promise<void>;
  private closing?: Promise<void>;

  constructor(private readonly options: KafkaEventBusOptions) {
    const brokers = parseBrokers(options.brokers);
    if (brokers.length === 0) throw new Error('KafkaEventBus needs at least one broker');
    this.log = new KafkaLogFilter(options.log ?? stderrKafkaLogSink);
    const config: KafkaConfig = {
      clientId: options.clientId ?? 'mreg',
      brokers,
      logLevel: options.logLevel === 'error' ? KafkaLogLevel.ERROR : KafkaLogLevel.WARN,
      logCreator: this.log.creator(),
      ...(options.connectionTimeoutMs !== undefined ? { connectionTimeout: options.connectionTimeoutMs } : {}),
      ...(options.requestTimeoutMs !== undefined ? { requestTimeout: options.requestTimeoutMs } : {}),
      ...(options.ssl !== undefined ? { ssl: options.ssl } : {}),
      ...(options.sasl !== undefined ? { sasl: options.sasl } : {}),
    };
    this.kafka = new Kafka(config);
    this.admin = this.kafka.admin();
    // Retries are a client setting (connecting included), so the probe has a client of its own.
    this.probeAdmin = new Kafka({ ...config, clientId: `${config.clientId ?? 'mreg'}-probe`, retry: { retries: 0 } }).admin();
    this.producer = this.kafka.producer({
      idempotent: true,
      // kafkajs keeps an idempotent producer's sequence numbers right only with one request in flight.
      maxInFlightRequests: 1,
      allowAutoTopicCreation: false,
      // The Java client's murmur2 partitioner, over the partition key: the model for every stream of a model
      // (decision 28), so one member of a group applies all of a model's events.
      createPartitioner: byPartitionKey,
    });
    this.partitions = Math.max(1, options.partitions ?? 3);
    this.replicationFactor = options.replicationFactor ?? -1;
    this.maxRetries = Math.max(0, options.maxRetries ?? 3);
    this.retryBackoffMs = Math.max(0, options.retryBackoffMs ?? 100);
    this.maxRetryBackoffMs = Math.max(this.retryBackoffMs, options.maxRetryBackoffMs ?? 5000);
    const tuning = options.consumer ?? {};
    this.tuning = {
      sessionTimeoutMs: tuning.sessionTimeoutMs ?? 30_000,
      rebalanceTimeoutMs: tuning.rebalanceTimeoutMs ?? 60_000,
      heartbeatIntervalMs: tuning.heartbeatIntervalMs ?? 3000,
      maxWaitTimeMs: tuning.maxWaitTimeMs ?? 1000,
      partitionsConsumedConcurrently: Math.max(1, tuning.partitionsConsumedConcurrently ?? 1),
      joinTimeoutMs: tuning.joinTimeoutMs ?? 60_000,
    };
  }

  /**
   * Connects the admin client and the producer and creates `options.topics`. Optional (publish and subscribe
   * connect on first use); call it at boot to fail fast when the brokers are unreachable. Idempotent.
   */
  connect(): Promise<void> {
    if (this.closing) return Promise.reject(closedError());
    this.connecting ??= (async () => {
      await this.admin.connect();
      await this.producer.connect();
      await this.ensureTopics(this.options.topics ?? []);
    })();
    // A failed attempt must not poison later ones (the broker may just be starting).
    this.connecting.catch(() => (this.connecting = undefined));
    return this.connecting;
  }

  publish(messages: readonly BusMessage[]): Promise<void> {
    return this.send(messages.map((message) => ({ topic: message.topic, record: encodeBusMessage(message) })));
  }

  publishRaw(messages: readonly InboundMessage[]): Promise<void> {
    return this.send(messages.map(({ topic, key, value, headers }) => ({ topic, record: { key, value, headers: { ...headers } } })));
  }

  subscribe(topics: readonly string[], group: string, handler: MessageHandler, options: SubscribeOptions = {}): Promise<BusSubscription> {
    return this.join(topics, group, { decode: decodeBusMessage, handler }, options);
  }

  subscribeRaw(topics: readonly string[], group: string, handler: InboundMessageHandler, options: SubscribeOptions = {}): Promise<BusSubscription> {
    return this.join(topics, group, { decode: decodeInboundMessage, handler }, options);
  }

  private async send(records: readonly { topic: string; record: { key: string | null; value: string; headers: Record<string, string> } }[]): Promise<void> {
    this.assertOpen();
    if (records.length === 0) return;
    await this.connect();
    await this.ensureTopics(records.map((r) => r.topic));
    const byTopic = new Map<string, { key: string | null; value: string; headers: Record<string, string> }[]>();
    for (const { topic, record } of records) {
      let batch = byTopic.get(topic);
      if (batch === undefined) byTopic.set(topic, (batch = []));
      batch.push(record);
    }
    await this.producer.sendBatch({
      acks: -1,
      topicMessages: [...byTopic].map(([topic, batch]) => ({ topic, messages: batch })),
    });
  }

  private async join<T>(topics: readonly string[], group: string, consumer: RecordConsumer<T>, options: SubscribeOptions): Promise<BusSubscription> {
    this.assertOpen();
    const names = [...new Set(topics)];
    if (names.length === 0) throw new Error('subscribe needs at least one topic');
    await this.connect();
    await this.ensureTopics(names);
    const fromBeginning = options.fromBeginning ?? true;
    // "Only messages published after subscribing": pin the end of each partition the group has no offset for
    // now, instead of letting kafkajs resolve "latest" at its first fetch, which may come after a publish.
    const startAt = fromBeginning ? new Map<string, string>() : await this.uncommittedPartitionEnds(group, names);
    // close() may have run while we were connecting; it only stops the subscriptions it can see.
    this.assertOpen();
    const subscription = new KafkaSubscription(this.kafka, group, consumer, this.subscriptionContext, (s) => this.subscriptions.delete(s));
    this.subscriptions.add(subscription);
    try {
      await subscription.start(names, fromBeginning, startAt);
    } catch (error: unknown) {
      await subscription.close();
      throw error;
    }
    return subscription;
  }

  /**
   * A metadata request to the cluster (`describeCluster`), without retries: the brokers answer now or the probe
   * fails with kafkajs's reason. The caller bounds the wait (readiness answers within 2 s).
   */
  async probe(): Promise<void> {
    this.assertOpen();
    await this.probeAdmin.connect();
    const { brokers } = await this.probeAdmin.describeCluster();
    if (brokers.length === 0) throw new Error('the cluster has no brokers');
  }

  /** Stops every subscription (each after its handler in flight), then the producer and the admin client. */
  close(): Promise<void> {
    this.closing ??= (async () => {
      await Promise.allSettled([...this.subscriptions].map((s) => s.close()));
      await this.connecting?.catch(() => undefined);
      await Promise.allSettled([this.producer.disconnect(), this.admin.disconnect(), this.probeAdmin.disconnect()]);
    })();
    return this.closing;
  }

  /** What every subscription of this bus shares: policy, tuning, the producer for dead letters, the log. */
  private get subscriptionContext(): SubscriptionContext {
    return {
      tuning: this.tuning,
      maxRetries: this.maxRetries,
      backoffMs: (retry) => Math.min(this.retryBackoffMs * 2 ** (retry - 1), this.maxRetryBackoffMs),
      deadLetter: (source, message, attempts, error) => this.deadLetter(source, message, attempts, error),
      report: (level, message, detail) => this.log.write({ level, namespace: 'EventBus', message, detail }),
    };
  }

  /** Sends a message that failed every attempt to `<topic>.dlq`, bytes unchanged, with its story in headers. */
  private async deadLetter(source: MessageSource, message: KafkaMessage, attempts: number, error: unknown): Promise<void> {
    const target = `${source.topic}${DLQ_SUFFIX}`;
    await this.ensureTopics([target]);
    await this.producer.send({
      topic: target,
      acks: -1,
      messages: [
        {
          key: message.key,
          value: message.value,
          headers: {
            ...decodeHeaders(message.headers),
            [DLQ_HEADERS.sourceTopic]: source.topic,
            [DLQ_HEADERS.group]: source.group,
            [DLQ_HEADERS.attempts]: String(attempts),
            [DLQ_HEADERS.error]: errorMessage(error).slice(0, MAX_ERROR_HEADER_LENGTH),
            [KAFKA_DLQ_HEADERS.partition]: String(source.partition),
            [KAFKA_DLQ_HEADERS.offset]: message.offset,
          },
        },
      ],
    });
  }

  private async ensureTopics(names: readonly string[]): Promise<void> {
    const wanted = withDeadLetterTopics(names).filter((name) => !this.knownTopics.has(name));
    if (wanted.length === 0) return;
    const run = this.topicQueue.then(async () => {
      const missing = wanted.filter((name) => !this.knownTopics.has(name));
      if (missing.length === 0) return;
      await createMissingTopics(this.admin, missing, this.partitions, this.replicationFactor);
      for (const name of missing) this.knownTopics.add(name);
    });
    this.topicQueue = run.catch(() => undefined);
    await run;
  }

  /** For each partition of `topics` without a committed offset of `group`: its end offset now. */
  private async uncommittedPartitionEnds(group: string, topics: readonly string[]): Promise<Map<string, string>> {
    const ends = new Map<string, string>();
    const committed = await this.admin.fetchOffsets({ groupId: group, topics: [...topics] });
    for (const { topic, partitions } of committed) {
      const open = partitions.filter((p) => Number(p.offset) < 0).map((p) => p.partition);
      if (open.length === 0) continue;
      for (const { partition, high } of await this.admin.fetchTopicOffsets(topic)) {
        if (open.includes(partition)) ends.set(partitionKey(topic, partition), high);
      }
    }
    return ends;
  }

  private assertOpen(): void {
    if (this.closing) throw closedError();
  }
}

interface MessageSource {
  readonly topic: string;
  readonly partition: number;
  readonly group: string;
}

/** How one subscription turns records into handler calls: the event codec, or raw as they are. */
interface RecordConsumer<T> {
  /** Throws for a record the handler cannot take (it is dead-lettered at once). */
  readonly decode: (topic: string, record: KafkaMessage) => T;
  readonly handler: (message: T) => Promise<void>;
}

interface SubscriptionContext {
  readonly tuning: Required<KafkaConsumerTuning>;
  readonly maxRetries: number;
  /** Backoff before retry number `retry` (1-based). */
  readonly backoffMs: (retry: number) => number;
  readonly deadLetter: (source: MessageSource, message: KafkaMessage, attempts: number, error: unknown) => Promise<void>;
  readonly report: (level: 'error' | 'warn', message: string, detail: Record<string, unknown>) => void;
}

/**
 * One `subscribe` call: a kafkajs consumer in `group`. Handles each partition's messages one after another,
 * commits an offset only once its handler succeeded (or the message was dead-lettered).
 */
class KafkaSubscription<T> implements BusSubscription {
  private consumer?: Consumer;
  private stopping = false;
  private closing?: Promise<void>;
  private readonly wakeSleepers = new Set<() => void>();
  /** Fails a `start` still waiting for the group join when the subscription is closed meanwhile. */
  private abortJoin?: (error: Error) => void;

  constructor(
    private readonly kafka: Kafka,
    private readonly group: string,
    private readonly records: RecordConsumer<T>,
    private readonly context: SubscriptionContext,
    private readonly onClosed: (subscription: KafkaSubscription<T>) => void,
  ) {}

  /** Resolves once the consumer has joined its group and got its partitions. */
  async start(topics: readonly string[], fromBeginning: boolean, startAt: ReadonlyMap<string, string>): Promise<void> {
    const { tuning } = this.context;
    const consumer = this.kafka.consumer({
      groupId: this.group,
      // All of a model's events, from every topic the group reads, in one member (see the assigner).
      partitionAssigners: [CoPartitionedAssigner],
      sessionTimeout: tuning.sessionTimeoutMs,
      rebalanceTimeout: tuning.rebalanceTimeoutMs,
      heartbeatInterval: tuning.heartbeatIntervalMs,
      maxWaitTimeInMs: tuning.maxWaitTimeMs,
      allowAutoTopicCreation: false,
      // kafkajs restarts a crashed consumer after retriable errors; not one that is being closed.
      retry: { restartOnFailure: async () => !this.stopping },
    });
    this.consumer = consumer;
    let firstJoin = true;
    const joined = new Promise<void>((resolve, reject) => {
      this.abortJoin = reject;
      consumer.on(consumer.events.GROUP_JOIN, ({ payload }) => {
        if (!firstJoin) return;
        firstJoin = false;
        // GROUP_JOIN fires after the assignment and before the first fetch, so the seeks apply to that fetch;
        // kafkajs commits a seek right away, which also pins the start for members assigned later.
        for (const [topic, partitions] of Object.entries(payload.memberAssignment)) {
          for (const partition of partitions) {
            const offset = startAt.get(partitionKey(topic, partition));
            if (offset !== undefined) consumer.seek({ topic, partition, offset });
          }
        }
        resolve();
      });
      consumer.on(consumer.events.CRASH, ({ payload }) => {
        const detail = { group: this.group, error: payload.error.message };
        if (this.stopping) return;
        if (payload.restart) {
          this.context.report('warn', 'consumer crashed; kafkajs restarts it', detail);
        } else if (firstJoin) {
          reject(payload.error);
        } else {
          this.context.report('error', 'consumer stopped after an error it cannot recover from', detail);
        }
      });
    });
    // Nobody awaits `joined` when connect or run fail first; their error is the one to report.
    joined.catch(() => undefined);
    await consumer.connect();
    await consumer.subscribe({ topics: [...topics], fromBeginning });
    await consumer.run({
      autoCommit: true,
      // Commit after every handled message: a restart or rebalance then redelivers at most the one in flight.
      autoCommitThreshold: 1,
      eachBatchAutoResolve: false,
      partitionsConsumedConcurrently: tuning.partitionsConsumedConcurrently,
      eachBatch: (payload) => this.handleBatch(payload),
    });
    await withTimeout(joined, tuning.joinTimeoutMs, `joining consumer group ${this.group}`);
  }

  close(): Promise<void> {
    this.closing ??= (async () => {
      this.stopping = true;
      this.abortJoin?.(new Error(`subscription to group ${this.group} closed while joining`));
      for (const wake of [...this.wakeSleepers]) wake();
      try {
        // kafkajs lets the batch in progress finish (our loop stops after the message in flight), commits,
        // leaves the group and disconnects.
        await this.consumer?.disconnect();
      } finally {
        this.onClosed(this);
      }
    })();
    return this.closing;
  }

  private async handleBatch(payload: EachBatchPayload): Promise<void> {
    const { batch } = payload;
    const heartbeat = (): Promise<void> => payload.heartbeat();
    for (const message of batch.messages) {
      if (this.stopping || !payload.isRunning() || payload.isStale()) return;
      const handled = await this.deliver(batch.topic, batch.partition, message, heartbeat);
      // Stopped during retries: leave the offset uncommitted, the group's next member gets the message again.
      if (!handled) return;
      payload.resolveOffset(message.offset);
      await payload.commitOffsetsIfNecessary();
      await heartbeat();
    }
  }

  /** Runs the handler with retries, then dead-letters; false when the subscription stopped in between. */
  private async deliver(topic: string, partition: number, message: KafkaMessage, heartbeat: () => Promise<void>): Promise<boolean> {
    const source = { topic, partition, group: this.group };
    let decoded: T;
    try {
      decoded = this.records.decode(topic, message);
    } catch (error: unknown) {
      // No handler could use it, and retrying will not change its bytes.
      this.context.report('warn', 'dead-lettering a record its subscriber cannot decode', { topic, partition, offset: message.offset, error: errorMessage(error) });
      await this.context.deadLetter(source, message, 0, error);
      return true;
    }
    const { maxRetries, backoffMs } = this.context;
    let lastError: unknown;
    for (let attempt = 1; attempt <= maxRetries + 1; attempt++) {
      if (attempt > 1 && !(await this.sleep(backoffMs(attempt - 1), heartbeat))) return false;
      try {
        // Wrapped so that a handler throwing synchronously counts as a failed attempt too.
        await (async () => this.records.handler(decoded))();
        return true;
      } catch (error: unknown) {
        lastError = error;
      }
    }
    await this.context.deadLetter(source, message, maxRetries + 1, lastError);
    return true;
  }

  /** Sleeps in heartbeat-sized slices (the group must not think we died); false when woken by close. */
  private async sleep(ms: number, heartbeat: () => Promise<void>): Promise<boolean> {
    const until = Date.now() + ms;
    for (let left = ms; left > 0 && !this.stopping; left = until - Date.now()) {
      await new Promise<void>((resolve) => {
        const wake = (): void => {
          clearTimeout(timer);
          this.wakeSleepers.delete(wake);
          resolve();
        };
        const timer = setTimeout(wake, Math.min(left, this.context.tuning.heartbeatIntervalMs));
        this.wakeSleepers.add(wake);
      });
      // A rebalance surfaces here as an error; kafkajs rejoins and the message comes again to its new owner.
      if (!this.stopping) await heartbeat();
    }
    return !this.stopping;
  }
}

/**
 * Creates the topics that do not exist yet, each with its `<topic>.dlq` (KRaft brokers make kafkajs fail on
 * auto-creation, so every topic the bus touches is created up front). Returns the names it created.
 */
export async function ensureTopics(
  brokers: string | readonly string[],
  topics: readonly string[],
  partitions: number,
  options: { readonly replicationFactor?: number; readonly clientId?: string; readonly log?: KafkaLogSink } = {},
): Promise<string[]> {
  const log = new KafkaLogFilter(options.log ?? stderrKafkaLogSink);
  const kafka = new Kafka({
    clientId: options.clientId ?? 'mreg-admin',
    brokers: parseBrokers(brokers),
    logLevel: KafkaLogLevel.WARN,
    logCreator: log.creator(),
  });
  const admin = kafka.admin();
  await admin.connect();
  try {
    return await createMissingTopics(admin, withDeadLetterTopics(topics), Math.max(1, partitions), options.replicationFactor ?? -1);
  } finally {
    await admin.disconnect();
  }
}

async function createMissingTopics(admin: Admin, names: readonly string[], partitions: number, replicationFactor: number): Promise<string[]> {
  const wanted = [...new Set(names)];
  const existing = new Set(await admin.listTopics());
  const missing = wanted.filter((name) => !existing.has(name));
  if (missing.length > 0) {
    // false = another client created them first; waitForLeaders so the first produce finds a leader.
    await admin.createTopics({
      waitForLeaders: true,
      topics: missing.map((topic) => ({ topic, numPartitions: partitions, replicationFactor })),
    });
  }
  // A topic another process created a moment ago (a replica starting beside this one) may have no leader yet,
  // and createTopics does not wait for topics it did not create: a subscription would fail on them.
  await waitForLeaders(admin, wanted);
  return missing;
}

const LEADER_WAIT_MS = 30_000;

/** Waits until every partition of `topics` has a leader (at most LEADER_WAIT_MS; then the last reason is thrown). */
async function waitForLeaders(admin: Admin, topics: readonly string[]): Promise<void> {
  const deadline = Date.now() + LEADER_WAIT_MS;
  for (let pause = 50; ; pause = Math.min(pause * 2, 1000)) {
    let problem: string;
    try {
      const { topics: found } = await admin.fetchTopicMetadata({ topics: [...topics] });
      const leaderless = found.flatMap((t) => t.partitions.filter((p) => p.leader < 0).map((p) => `${t.name}[${p.partitionId}]`));
      if (leaderless.length === 0) return;
      problem = `no leader yet for ${leaderless.slice(0, 5).join(', ')}`;
    } catch (error: unknown) {
      // Unknown topic or partition, leader not available: the cluster is still electing.
      if (!(error instanceof Error) || !('retriable' in error) || error.retriable !== true) throw error;
      problem = error.message;
    }
    if (Date.now() + pause > deadline) throw new Error(`topics have no leader after ${LEADER_WAIT_MS / 1000} s: ${problem}`);
    await new Promise((resolve) => setTimeout(resolve, pause));
  }
}

/** The topics plus their dead-letter topics (a dead-letter topic gets none of its own up front). */
function withDeadLetterTopics(topics: readonly string[]): string[] {
  const all = new Set<string>();
  for (const topic of topics) {
    all.add(topic);
    if (!topic.endsWith(DLQ_SUFFIX)) all.add(`${topic}${DLQ_SUFFIX}`);
  }
  return [...all];
}

function parseBrokers(brokers: string | readonly string[]): string[] {
  const list = typeof brokers === 'string' ? brokers.split(',') : brokers;
  return list.map((b) => b.trim()).filter((b) => b.length > 0);
}

function closedError(): Error {
  return new Error('KafkaEventBus is closed');
}

function partitionKey(topic: string, partition: number): string {
  return `${topic}\u0000${partition}`;
}

function errorMessage(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}

async function withTimeout<T>(promise: Promise<T>, ms: number, what: string): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new Error(`timed out after ${ms} ms ${what}`)), ms);
  });
  try {
    return await Promise.race([promise, timeout]);
  } finally {
    clearTimeout(timer);
  }
}
