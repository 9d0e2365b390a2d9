import type { BusMessage, BusSubscription, EventBus, InboundMessage, InboundMessageHandler, MessageHandler, SubscribeOptions } from './event-bus.port';
import { busMessageOfInbound, inboundOfBusMessage } from './kafka-message.codec';

export interface InProcessEventBusOptions {
  /** Retries after the first failed delivery before a message goes to `<topic>.dlq` (default 3). */
  readonly maxRetries?: number;
  /** Backoff before the first retry, doubled on each further retry, in ms (default 10, capped at 1000). */
  readonly retryBackoffMs?: number;
  /** Messages kept per topic for `fromBeginning` and for groups without members (default 10 000). */
  readonly retention?: number;
}

/** Headers added to a dead-lettered message. */
export const DLQ_HEADERS = {
  sourceTopic: 'x-mreg-dlq-source-topic',
  group: 'x-mreg-dlq-group',
  attempts: 'x-mreg-dlq-attempts',
  error: 'x-mreg-dlq-error',
} as const;

const MAX_BACKOFF_MS = 1000;

/** A published message as the topic keeps it: a recorded event or a raw message. */
type Stored = { readonly kind: 'event'; readonly message: BusMessage } | { readonly kind: 'raw'; readonly message: InboundMessage };

type Member = ({ readonly kind: 'event'; readonly handler: MessageHandler } | { readonly kind: 'raw'; readonly handler: InboundMessageHandler }) & {
  readonly inFlight: Set<Promise<void>>;
};

/** Messages of one key (null: keyless ones) waiting in one group: delivered one after another, in publish order. */
interface Lane {
  readonly items: Stored[];
  running: boolean;
}

/** A consumer group's view of one topic: its offset and the members that share the work. */
interface GroupState {
  readonly name: string;
  /** Offset of the next message of the topic to hand to a lane. */
  offset: number;
  readonly members: Member[];
  nextMember: number;
  readonly lanes: Map<string | null, Lane>;
}

interface TopicState {
  readonly name: string;
  /** Retained messages; `messages[0]` has offset `firstOffset`. */
  messages: Stored[];
  firstOffset: number;
  readonly groups: Map<string, GroupState>;
}

/**
 * The embedded event bus (docs/design.md §2): Kafka's semantics in one process. Every consumer group gets
 * each message once (one member handles it, round robin), messages of one key are handled in publish order
 * within a group, failures are retried with backoff and then dead-lettered to `<topic>.dlq`. A group keeps its
 * offset while it has no members, so it resumes where it left off (as far as retention reaches).
 */
export class InProcessEventBus implements EventBus {
  private readonly maxRetries: number;
  private readonly retryBackoffMs: number;
  private readonly retention: number;
  private readonly topics = new Map<string, TopicState>();
  private readonly idleWaiters: (() => void)[] = [];
  private readonly sleepers = new Set<() => void>();
  private runningLanes = 0;
  private closed = false;

  constructor(options: InProcessEventBusOptions = {}) {
    this.maxRetries = Math.max(0, options.maxRetries ?? 3);
    this.retryBackoffMs = Math.max(0, options.retryBackoffMs ?? 10);
    this.retention = Math.max(1, options.retention ?? 10_000);
  }

  async publish(messages: readonly BusMessage[]): Promise<void> {
    this.append(messages.map((message): Stored => ({ kind: 'event', message })));
  }

  async publishRaw(messages: readonly InboundMessage[]): Promise<void> {
    // Copied: a caller mutating its objects later must not change what was published (Kafka has the bytes).
    this.append(messages.map((message): Stored => ({ kind: 'raw', message: { ...message, headers: { ...message.headers } } })));
  }

  subscribe(topics: readonly string[], group: string, handler: MessageHandler, options: SubscribeOptions = {}): Promise<BusSubscription> {
    return this.join(topics, group, { kind: 'event', handler, inFlight: new Set() }, options);
  }

  subscribeRaw(topics: readonly string[], group: string, handler: InboundMessageHandler, options: SubscribeOptions = {}): Promise<BusSubscription> {
    return this.join(topics, group, { kind: 'raw', handler, inFlight: new Set() }, options);
  }

  /** In the process: up until closed. */
  async probe(): Promise<void> {
    if (this.closed) throw new Error('InProcessEventBus is closed');
  }

  private append(stored: readonly Stored[]): void {
    if (this.closed) throw new Error('InProcessEventBus is closed');
    const touched = new Set<TopicState>();
    for (const item of stored) {
      const topic = this.topic(item.message.topic);
      topic.messages.push(item);
      touched.add(topic);
    }
    for (const topic of touched) {
      this.dispatch(topic);
      this.trim(topic);
    }
  }

  private async join(topics: readonly string[], group: string, member: Member, options: SubscribeOptions): Promise<BusSubscription> {
    if (this.closed) throw new Error('InProcessEventBus is closed');
    const joined: { topic: TopicState; group: GroupState }[] = [];
    for (const name of new Set(topics)) {
      const topic = this.topic(name);
      let state = topic.groups.get(group);
      if (state === undefined) {
        // A new group starts at the oldest retained message, or at the end when it only wants new ones.
        const start = (options.fromBeginning ?? true) ? topic.firstOffset : topic.firstOffset + topic.messages.length;
        state = { name: group, offset: start, members: [], nextMember: 0, lanes: new Map() };
        topic.groups.set(group, state);
      }
      state.members.push(member);
      joined.push({ topic, group: state });
      this.dispatch(topic);
      // Lanes that stopped for lack of members carry on with the new one.
      for (const [key, lane] of state.lanes) this.startLane(topic, state, key, lane);
    }

    let left = false;
    return {
      close: async () => {
        if (left) return;
        left = true;
        for (const { group: state } of joined) removeMember(state, member);
        await Promise.allSettled([...member.inFlight]);
      },
    };
  }

  /** Resolves once no group with members has a message waiting or in flight (tests use it to await delivery). */
  drain(): Promise<void> {
    if (this.runningLanes === 0) return Promise.resolve();
    return new Promise((resolve) => this.idleWaiters.push(resolve));
  }

  async close(): Promise<void> {
    if (this.closed) return;
    this.closed = true;
    const inFlight: Promise<void>[] = [];
    for (const topic of this.topics.values()) {
      for (const group of topic.groups.values()) {
        for (const member of group.members) inFlight.push(...member.inFlight);
        group.members.length = 0;
      }
    }
    // Cut retry backoffs short: with no members left the lanes stop at once.
    for (const wake of [...this.sleepers]) wake();
    await Promise.allSettled(inFlight);
    await this.drain();
  }

  private topic(name: string): TopicState {
    let topic = this.topics.get(name);
    if (topic === undefined) {
      topic = { name, messages: [], firstOffset: 0, groups: new Map() };
      this.topics.set(name, topic);
    }
    return topic;
  }

  /** Moves every newly published message into its key's lane, for each group that has members. */
  private dispatch(topic: TopicState): void {
    const end = topic.firstOffset + topic.messages.length;
    for (const group of topic.groups.values()) {
      if (group.members.length === 0) continue;
      // Messages that fell out of retention while the group was away are gone, as in Kafka.
      if (group.offset < topic.firstOffset) group.offset = topic.firstOffset;
      for (; group.offset < end; group.offset++) {
        const stored = topic.messages[group.offset - topic.firstOffset];
        const key = stored.message.key;
        let lane = group.lanes.get(key);
        if (lane === undefined) {
          lane = { items: [], running: false };
          group.lanes.set(key, lane);
        }
        lane.items.push(stored);
        this.startLane(topic, group, key, lane);
      }
    }
  }

  private trim(topic: TopicState): void {
    // Trim in batches: shifting a large array on every publish would cost O(retention) each time.
    const excess = topic.messages.length - this.retention;
    if (excess > Math.min(1024, this.retention)) {
      topic.messages = topic.messages.slice(excess);
      topic.firstOffset += excess;
    }
  }

  private startLane(topic: TopicState, group: GroupState, key: string | null, lane: Lane): void {
    if (lane.running || lane.items.length === 0 || group.members.length === 0) return;
    lane.running = true;
    this.runningLanes++;
    void this.runLane(topic, group, key, lane)
      // Only a dead-letter publish racing close() can fail here; the message then stays in its lane.
      .catch(() => undefined)
      .finally(() => {
        lane.running = false;
        if (lane.items.length === 0) {
          if (group.lanes.get(key) === lane) group.lanes.delete(key);
        } else {
          // A message may have arrived after the loop's last check: pick it up (unless no member is left).
          this.startLane(topic, group, key, lane);
        }
        this.runningLanes--;
        if (this.runningLanes === 0) for (const resolve of this.idleWaiters.splice(0)) resolve();
      });
  }

  private async runLane(topic: TopicState, group: GroupState, key: string | null, lane: Lane): Promise<void> {
    // A later macrotask: handlers never run inside publish()/subscribe() nor before their callers resume.
    await new Promise<void>((resolve) => setImmediate(resolve));
    while (lane.items.length > 0) {
      const delivered = await this.deliver(topic, group, lane.items[0]);
      // No member left: the message stays first in its lane until a member joins.
      if (!delivered) return;
      lane.items.shift();
    }
  }

  /** Hands one message to a member, retrying with backoff, then dead-letters it; false when no member is left. */
  private async deliver(topic: TopicState, group: GroupState, stored: Stored): Promise<boolean> {
    let lastError: unknown;
    for (let attempt = 0; attempt <= this.maxRetries; attempt++) {
      if (attempt > 0) await this.sleep(Math.min(this.retryBackoffMs * 2 ** (attempt - 1), MAX_BACKOFF_MS));
      const member = pickMember(group);
      if (member === undefined) return false;
      const delivery = deliveryFor(member, stored);
      if ('undeliverable' in delivery) {
        // As on Kafka: a raw message that is not a recorded event cannot reach an event handler; retrying
        // will not change it.
        if (this.closed) return false;
        this.deadLetter(topic, group, stored, 0, delivery.undeliverable);
        return true;
      }
      // Wrapped so that a handler throwing synchronously counts as a failed delivery too.
      const handling = (async () => delivery.run())();
      const tracked = handling.then(
        () => undefined,
        () => undefined,
      );
      member.inFlight.add(tracked);
      try {
        await handling;
        return true;
      } catch (error: unknown) {
        lastError = error;
      } finally {
        member.inFlight.delete(tracked);
      }
    }
    if (this.closed) return false;
    this.deadLetter(topic, group, stored, this.maxRetries + 1, lastError);
    return true;
  }

  /** Publishes a message to `<topic>.dlq` as it was (event or raw), with its story in headers. */
  private deadLetter(topic: TopicState, group: GroupState, stored: Stored, attempts: number, error: unknown): void {
    const headers = {
      ...stored.message.headers,
      [DLQ_HEADERS.sourceTopic]: topic.name,
      [DLQ_HEADERS.group]: group.name,
      [DLQ_HEADERS.attempts]: String(attempts),
      [DLQ_HEADERS.error]: error instanceof Error ? error.message : String(error),
    };
    const target = `${topic.name}.dlq`;
    this.append([stored.kind === 'event' ? { kind: 'event', message: { ...stored.message, topic: target, headers } } : { kind: 'raw', message: { ...stored.message, topic: target, headers } }]);
  }

  private sleep(ms: number): Promise<void> {
    return new Promise((resolve) => {
      const wake = (): void => {
        clearTimeout(timer);
        this.sleepers.delete(wake);
        resolve();
      };
      const timer = setTimeout(wake, ms);
      this.sleepers.add(wake);
    });
  }
}

/** What handing `stored` to `member` means: its handler call, or why it cannot have it. */
function deliveryFor(member: Member, stored: Stored): { readonly run: () => Promise<void> } | { readonly undeliverable: unknown } {
  if (member.kind === 'raw') {
    const message = stored.kind === 'raw' ? stored.message : inboundOfBusMessage(stored.message);
    return { run: () => member.handler(message) };
  }
  if (stored.kind === 'event') {
    const message = stored.message;
    return { run: () => member.handler(message) };
  }
  try {
    const message = busMessageOfInbound(stored.message);
    return { run: () => member.handler(message) };
  } catch (error: unknown) {
    return { undeliverable: error };
  }
}

function pickMember(group: GroupState): Member | undefined {
  if (group.members.length === 0) return undefined;
  const member = group.members[group.nextMember % group.members.length];
  group.nextMember = (group.nextMember + 1) % group.members.length;
  return member;
}

function removeMember(group: GroupState, member: Member): void {
  const index = group.members.indexOf(member);
  if (index >= 0) group.members.splice(index, 1);
}
