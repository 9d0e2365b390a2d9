/** A domain event as deciders produce it: a PascalCase past-tense type and a JSON payload. */
export type Event<Type extends string = string, Data extends object = object> = Readonly<{
  type: Type;
  data: Readonly<Data>;
}>;

/** Metadata every stored event carries (docs/design.md §3). */
export interface EventMetadata {
  readonly eventId: string;
  readonly schemaVersion: number;
  readonly occurredAt: string; // ISO-8601 UTC
  readonly actor: string; // the principal who caused it
  readonly correlationId: string;
  readonly causationId?: string;
  readonly traceparent?: string;
  /** Hash of the previous event in the same stream ('' for the first). */
  readonly prevHash: string;
  /** sha256 over streamId, revision, type, data and the rest of the metadata: a per-stream chain. */
  readonly hash: string;
}

/** An event as read back from the log. */
export interface RecordedEvent<E extends Event = Event> {
  readonly streamId: string;
  /** 0-based position of the event inside its stream. */
  readonly streamRevision: number;
  /** Position in the whole log; strictly increasing in append order. */
  readonly position: bigint;
  readonly type: E['type'];
  readonly data: E['data'];
  readonly metadata: EventMetadata;
}
