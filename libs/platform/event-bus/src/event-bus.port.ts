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

export interface BusSubscription {
  close(): Promise<void>;
}

export interface SubscribeOptions {
  /** Start from the earliest retained message when the group has no committed offset (default true). */
  readonly fromBeginning?: boolean;
}

/**
 * Publish/subscribe with consumer groups (ARCHITECTURE.md §2). Delivery is at-least-once; messages with
 * the same key are delivered in publish order within a group; each message goes to one member of a group.
 * A handler that throws gets the message again (with retries); handlers must be idempotent.
 */
export interface EventBus {
  publish(messages: readonly BusMessage[]): Promise<void>;
  subscribe(topics: readonly string[], group: string, handler: MessageHandler, options?: SubscribeOptions): Promise<BusSubscription>;
  close(): Promise<void>;
}

export const EVENT_BUS = Symbol('EventBus');
