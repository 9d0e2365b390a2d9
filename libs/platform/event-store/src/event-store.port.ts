import type { Event, EventMetadata, RecordedEvent } from '@mreg/shared/contracts';

/**
 * What the writer expects the stream to look like before its append:
 * - a number: the revision of the stream's last event (0-based), i.e. exactly revision+1 events exist;
 * - 'no_stream': the stream has no events;
 * - 'any': no check.
 */
export type ExpectedRevision = number | 'no_stream' | 'any';

/** An event to append; the adapter assigns stream revision and log position. */
export interface NewEvent<E extends Event = Event> {
  readonly type: E['type'];
  readonly data: E['data'];
  readonly metadata: EventMetadata;
}

export interface AppendResult {
  /** Revision of the last event now in the stream. */
  readonly nextExpectedRevision: number;
  /** Log position of the last appended event. */
  readonly position: bigint;
}

/** Thrown when the expected revision does not match; the HTTP layer maps it to 409. */
export class WrongExpectedRevisionError extends Error {
  readonly code = 'WRONG_EXPECTED_REVISION';
  constructor(
    readonly streamId: string,
    readonly expected: ExpectedRevision,
    readonly actual: number | 'no_stream',
  ) {
    super(`stream ${streamId}: expected revision ${String(expected)}, found ${String(actual)}`);
    this.name = 'WrongExpectedRevisionError';
  }
}

export interface ReadStreamOptions {
  /** First revision to read (inclusive); default 0. */
  readonly fromRevision?: number;
  readonly maxCount?: number;
}

export interface ReadAllOptions {
  /** Read events strictly after this position; omit to start at the beginning. */
  readonly after?: bigint;
  readonly maxCount?: number;
  /** Only streams whose id starts with one of these prefixes. */
  readonly streamPrefixes?: readonly string[];
}

export type AllEventHandler = (event: RecordedEvent) => Promise<void>;

export interface Subscription {
  /** Stops delivering; resolves when the in-flight handler (if any) has finished. */
  close(): Promise<void>;
}

export interface SubscribeAllOptions {
  /** Deliver events strictly after this position; omit for the start of the log. */
  readonly after?: bigint;
  readonly streamPrefixes?: readonly string[];
  /** Called when delivery stops because the handler threw or the connection broke. */
  readonly onError?: (error: unknown) => void;
}

/**
 * Time-bound leadership among the processes sharing a log (docs/decisions/0028): a named lease has at most one
 * holder at a time; it is taken when free or expired and renewed by its holder. The store's clock decides expiry,
 * so the hosts' clocks need not agree; a holder keeps a safety margin on its own clock (see LeaderLease).
 */
export interface Leases {
  /**
   * Takes the lease `name` for `holder` for the next `ttlMs` if it is free, expired or already `holder`'s (a
   * renewal). Resolves whether `holder` holds it now.
   */
  acquireLease(name: string, holder: string, ttlMs: number): Promise<boolean>;
  /** Ends `holder`'s lease at once (a clean shutdown hands over without waiting); nothing if another holds it. */
  releaseLease(name: string, holder: string): Promise<void>;
}

/**
 * The immutable log, one stream per aggregate (docs/design.md §2).
 * Appends are atomic per call and idempotent by event id: re-appending events whose ids are already
 * in the stream, in the same order at the same place, succeeds without writing anything.
 */
export interface EventStore {
  append(streamId: string, events: readonly NewEvent[], expected: ExpectedRevision): Promise<AppendResult>;
  /** All events of one stream in revision order; [] when the stream does not exist. */
  readStream(streamId: string, options?: ReadStreamOptions): Promise<RecordedEvent[]>;
  /** A page of the whole log in position order. */
  readAll(options?: ReadAllOptions): Promise<RecordedEvent[]>;
  /** Catch-up subscription: replays from `after`, then delivers live events in order, one at a time. */
  subscribeAll(handler: AllEventHandler, options?: SubscribeAllOptions): Subscription;
  /** Leases beside the log, for work one process of many must do (relaying the log); absent where unsupported. */
  readonly leases?: Leases;
  close(): Promise<void>;
}

export const EVENT_STORE = Symbol('EventStore');
