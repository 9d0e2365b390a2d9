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
