import type { RecordedEvent } from '@mreg/shared/contracts';

/** A message on the bus: a recorded event published under a topic, keyed by its stream id. */
export interface BusMessage {
  readonly topic: string;
  readonly key: string;
  readonly event: RecordedEvent;
  /** Extra headers (CloudEvents ce_* attributes, traceparent). */
  readonly headers: Readonly<Record<string, string>>;
}

export type MessageHandler = (message: BusMessage) => Promise<void>;

/**
 * A raw message: traffic from outside the registry (training pipelines, governance tooling) and what the
 * registry answers it with (rejections). No codec: the value is the record's bytes as UTF-8 text, so a handler
 * sees exactly what the producer sent, and a malformed message reaches the handler instead of the bus's DLQ.
 */
export interface InboundMessage {
  readonly topic: string;
  /** The record key; null when the producer sent none (then no order is promised). */
  readonly key: string | null;
  readonly value: string;
  /** Header values as strings; for a repeated header the last value wins. */
  readonly headers: Readonly<Record<string, string>>;
}

export type InboundMessageHandler = (message: InboundMessage) => Promise<void>;

export interface BusSubscription {
  close(): Promise<void>;
}

export interface SubscribeOptions {
  /** Start from the earliest retained message when the group has no committed offset (default true). */
  readonly fromBeginning?: boolean;
}

/**
 * Publish/subscribe with consumer groups (docs/design.md §2). Delivery is at-least-once; messages with
 * the same key are delivered in publish order within a group; each message goes to one member of a group.
 * A handler that throws gets the message again (with retries), then the message goes to `<topic>.dlq`;
 * handlers must be idempotent.
 *
 * Two views of the same topics: `publish`/`subscribe` carry recorded events (the relay, projections,
 * reactions); `publishRaw`/`subscribeRaw` carry raw messages (inbound integration traffic) with the same
 * guarantees. A raw subscriber sees a recorded event in its wire form (JSON value, key = stream id); an event
 * subscriber dead-letters a raw message that is not a recorded event at once, without calling its handler.
 */
export interface EventBus {
  publish(messages: readonly BusMessage[]): Promise<void>;
  subscribe(topics: readonly string[], group: string, handler: MessageHandler, options?: SubscribeOptions): Promise<BusSubscription>;
  /** Publishes raw messages (key, value and headers as given). */
  publishRaw(messages: readonly InboundMessage[]): Promise<void>;
  /** Subscribes to raw messages, with the delivery guarantees of {@link EventBus.subscribe}. */
  subscribeRaw(topics: readonly string[], group: string, handler: InboundMessageHandler, options?: SubscribeOptions): Promise<BusSubscription>;
  /** Resolves when the bus answers a cheap round trip (readiness); rejects with the reason when it does not. */
  probe(): Promise<void>;
  close(): Promise<void>;
}

export const EVENT_BUS = Symbol('EventBus');
