import type { InboundMessage } from '@mreg/platform/event-bus';
import type { RecordedEvent } from '@mreg/shared/contracts';

/** A read model fed from the bus. `handle` must be idempotent (revision-guarded writes). */
export interface Projection {
  readonly name: string;
  readonly topics: readonly string[];
  handle(event: RecordedEvent): Promise<void>;
}

/** A reaction to events (a saga step): issues commands, deduplicated by the commands' own idempotency. */
export interface Reaction {
  readonly name: string;
  readonly topics: readonly string[];
  handle(event: RecordedEvent): Promise<void>;
}

/**
 * A consumer of raw integration traffic (training events, approval commands) in its own consumer group. It
 * answers client mistakes itself (a rejection message) and throws only for faults of ours, which the bus
 * retries and then dead-letters.
 */
export interface InboundConsumer {
  /** Consumer group, e.g. `mreg.registration.training`. */
  readonly group: string;
  readonly topics: readonly string[];
  handle(message: InboundMessage): Promise<void>;
}
