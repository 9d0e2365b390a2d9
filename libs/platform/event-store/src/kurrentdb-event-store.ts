import { createHash } from 'node:crypto';
import { ANY, KurrentDBClient, NO_STREAM, START, StreamDeletedError, StreamNotFoundError, WrongExpectedVersionError, excludeSystemEvents, jsonEvent, streamNameFilter } from '@kurrent/kurrentdb-client';
import type { AllStreamResolvedEvent, AllStreamSubscription, AppendStreamState, EventData, Filter, JSONType, ReadPosition, ResolvedEvent } from '@kurrent/kurrentdb-client';
import type { EventMetadata, RecordedEvent } from '@mreg/shared/contracts';
import { WrongExpectedRevisionError } from './event-store.port';
import type { AllEventHandler, AppendResult, EventStore, ExpectedRevision, NewEvent, ReadAllOptions, ReadStreamOptions, SubscribeAllOptions, Subscription } from './event-store.port';
import { LiveSubscriptions } from './live-subscriptions';

export type KurrentEventStoreOptions = {
  /** Events per request when paging through `$all` (default 500). */
  readonly pageSize?: number;
} & (
  | {
      /** e.g. `kurrentdb://127.0.0.1:2113?tls=false`, or a cluster's `kurrentdb+discover://…` string. */
      readonly connectionString: string;
    }
  | {
      /** A client owned by the caller (not disposed by close()). */
      readonly client: KurrentDBClient;
    }
);

/**
 * The production event store (docs/design.md §2) on KurrentDB (formerly EventStoreDB): one stream per
 * aggregate, our EventMetadata as each event's JSON metadata, our eventId as its event id (so the server's
 * idempotency check dedupes a retried append), and `RecordedEvent.position` = the commit position in `$all`.
 */
export class KurrentEventStore implements EventStore {
  private readonly client: KurrentDBClient;
  private readonly ownsClient: boolean;
  private readonly pageSize: number;
  private readonly subscriptions = new LiveSubscriptions<KurrentAllSubscription>();
  private closed = false;

  constructor(options: KurrentEventStoreOptions) {
    this.ownsClient = 'connectionString' in options;
    this.client = 'connectionString' in options ? KurrentDBClient.connectionString(options.connectionString) : options.client;
    // Two at least: reads of $all start *at* the position and skip that event, see scanAll.
    this.pageSize = Math.max(2, Math.floor(options.pageSize ?? 500));
  }

  async append(streamId: string, events: readonly NewEvent[], expected: ExpectedRevision): Promise<AppendResult> {
    this.assertOpen();
    if (events.length === 0) return this.checkOnly(streamId, expected);
    try {
      const result = await this.client.appendToStream(streamId, events.map(toEventData), { streamState: toStreamState(expected) });
      // The server's answer to an idempotent replay does not reliably carry the original position, so read
      // it from the last event itself: correct for fresh appends and replays alike.
      const position = await this.positionOf(streamId, result.nextExpectedRevision);
      return { nextExpectedRevision: Number(result.nextExpectedRevision), position };
    } catch (error: unknown) {
      if (error instanceof WrongExpectedVersionError) {
        throw new WrongExpectedRevisionError(streamId, expected, toActual(error.actualState));
      }
      throw error;
    }
  }

  async readStream(streamId: string, options: ReadStreamOptions = {}): Promise<RecordedEvent[]> {
    this.assertOpen();
    const maxCount = options.maxCount === undefined ? undefined : Math.max(0, Math.floor(options.maxCount));
    if (maxCount === 0) return [];
    const events: RecordedEvent[] = [];
    try {
      const read = this.client.readStream(streamId, {
        fromRevision: BigInt(Math.max(0, Math.floor(options.fromRevision ?? 0))),
        maxCount,
      });
      for await (const resolved of read) {
        const event = toRecordedEvent(resolved);
        // Our own streams hold only our events; anything else is corruption, not something to skip.
        if (event === undefined) throw new Error(`stream ${streamId} holds an event that is not an mreg event`);
        events.push(event);
      }
    } catch (error: unknown) {
      if (error instanceof StreamNotFoundError || error instanceof StreamDeletedError) return [];
      throw error;
    }
    return events;
  }

  async readAll(options: ReadAllOptions = {}): Promise<RecordedEvent[]> {
    this.assertOpen();
    const limit = options.maxCount === undefined ? Number.POSITIVE_INFINITY : Math.max(0, Math.floor(options.maxCount));
    const events: RecordedEvent[] = [];
    if (limit === 0) return events;
    for await (const event of this.scanAll(options.after, options.streamPrefixes)) {
      events.push(event);
      if (events.length >= limit) break;
    }
    return events;
  }

  subscribeAll(handler: AllEventHandler, options: SubscribeAllOptions = {}): Subscription {
    this.assertOpen();
    return this.subscriptions.start(new KurrentAllSubscription(this.client, handler, options));
  }

  async close(): Promise<void> {
    if (this.closed) return;
    this.closed = true;
    await this.subscriptions.closeAll();
    if (this.ownsClient) await this.client.dispose();
  }

  /**
   * Our events after `after` in `$all` order, filtered on the server. Reads of `$all` start at the given
   * position inclusively, so each page begins with the last event already seen, which is skipped.
   */
  private async *scanAll(after: bigint | undefined, prefixes: readonly string[] | undefined): AsyncGenerator<RecordedEvent> {
    const filter = filterFor(prefixes);
    let lastSeen = after ?? -1n;
    let from: ReadPosition = after === undefined ? START : positionAt(after);
    for (;;) {
      let received = 0;
      for await (const resolved of this.client.readAll({ fromPosition: from, maxCount: this.pageSize, filter })) {
        received++;
        const position = commitPositionOf(resolved);
        if (position <= lastSeen) continue;
        lastSeen = position;
        // Other applications may share the log: what is not ours (not JSON, no mreg metadata) is passed over.
        const event = toRecordedEvent(resolved);
        if (event !== undefined) yield event;
      }
      if (received < this.pageSize) return;
      from = positionAt(lastSeen);
    }
  }

  /** Commit position of the event at `revision` of `streamId`; read from the leader, which has it. */
  private async positionOf(streamId: string, revision: bigint): Promise<bigint> {
    for await (const resolved of this.client.readStream(streamId, { fromRevision: revision, maxCount: 1, requiresLeader: true })) {
      return commitPositionOf(resolved);
    }
    throw new Error(`stream ${streamId} has no event at revision ${revision} right after appending it`);
  }

  /** An append of no events writes nothing, but still answers whether the expectation holds (as the port says). */
  private async checkOnly(streamId: string, expected: ExpectedRevision): Promise<AppendResult> {
    let last: RecordedEvent | undefined;
    try {
      for await (const resolved of this.client.readStream(streamId, { fromRevision: 'end', direction: 'backwards', maxCount: 1 })) {
        last = toRecordedEvent(resolved);
      }
    } catch (error: unknown) {
      if (!(error instanceof StreamNotFoundError || error instanceof StreamDeletedError)) throw error;
    }
    const current = last?.streamRevision ?? -1;
    const matches = expected === 'any' || (expected === 'no_stream' ? current === -1 : expected === current);
    if (!matches) throw new WrongExpectedRevisionError(streamId, expected, current === -1 ? 'no_stream' : current);
    return { nextExpectedRevision: current, position: last?.position ?? 0n };
  }

  private assertOpen(): void {
    if (this.closed) throw new Error('KurrentEventStore is closed');
  }
}

/** A catch-up subscription to `$all`: one event at a time, each handler awaited before the next is read. */
class KurrentAllSubscription implements Subscription {
  private stopped = false;
  private stream: AllStreamSubscription | undefined;
  private loop: Promise<void> = Promise.resolve();

  constructor(
    private readonly client: KurrentDBClient,
    private readonly handler: AllEventHandler,
    private readonly options: SubscribeAllOptions,
  ) {}

  start(onEnd: () => void): void {
    this.loop = this.run().finally(onEnd);
  }

  async close(): Promise<void> {
    if (!this.stopped) {
      this.stopped = true;
      await this.cancel();
    }
    await this.loop;
  }

  private async run(): Promise<void> {
    // Start on a later tick so the caller holds the Subscription before the first delivery.
    await Promise.resolve();
    if (this.stopped) return;
    let checkpoint = this.options.after ?? -1n;
    try {
      this.stream = this.client.subscribeToAll({
        fromPosition: this.options.after === undefined ? START : positionAt(this.options.after),
        filter: filterFor(this.options.streamPrefixes),
      });
      // Async iteration pulls one event at a time; the stream's buffer gives the server backpressure.
      for await (const resolved of this.stream as AsyncIterable<AllStreamResolvedEvent>) {
        if (this.stopped) break;
        const position = commitPositionOf(resolved);
        // Subscriptions start after the position; this guard keeps "strictly after" whatever the server does.
        if (position <= checkpoint) continue;
        checkpoint = position;
        const event = toRecordedEvent(resolved);
        if (event !== undefined) await this.handler(event);
      }
      if (!this.stopped) throw new Error('the KurrentDB subscription to $all ended unexpectedly');
    } catch (error: unknown) {
      // Errors caused by close() are not errors of the subscription.
      if (this.stopped) return;
      this.stopped = true;
      await this.cancel();
      this.options.onError?.(error);
    }
  }

  private async cancel(): Promise<void> {
    const stream = this.stream;
    if (stream === undefined) return;
    await stream.unsubscribe().catch(() => undefined);
    // Ends a pending iteration at once, even if the cancelled gRPC call never ends the stream.
    stream.destroy();
  }
}

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

/**
 * KurrentDB event ids are UUIDs. Ours normally are; any other id is mapped to a stable name-based UUID, so
 * the same eventId always gives the same KurrentDB id and retries stay idempotent.
 */
function toKurrentEventId(eventId: string): string {
  if (UUID.test(eventId)) return eventId.toLowerCase();
  const hex = createHash('sha256').update(`mreg-event-id:${eventId}`).digest('hex');
  const variant = ((parseInt(hex.slice(16, 18), 16) & 0x3f) | 0x80).toString(16);
  return `${hex.slice(0, 8)}-${hex.slice(8, 12)}-8${hex.slice(13, 16)}-${variant}${hex.slice(18, 20)}-${hex.slice(20, 32)}`;
}

function toEventData(event: NewEvent): EventData {
  return jsonEvent({
    id: toKurrentEventId(event.metadata.eventId),
    type: event.type,
    // Event payloads are JSON objects by contract; the client serialises them with JSON.stringify.
    data: event.data as JSONType,
    metadata: { ...event.metadata },
  });
}

function toStreamState(expected: ExpectedRevision): AppendStreamState {
  if (expected === 'any') return ANY;
  if (expected === 'no_stream') return NO_STREAM;
  if (!Number.isSafeInteger(expected) || expected < 0) throw new RangeError(`expected revision ${expected} is not a revision`);
  return BigInt(expected);
}

function toActual(state: WrongExpectedVersionError['actualState']): number | 'no_stream' {
  return state === NO_STREAM ? 'no_stream' : Number(state);
}

function positionAt(position: bigint): ReadPosition {
  // Events of ordinary appends have commit = prepare position; explicit (legacy) transactions are not used.
  return { commit: position, prepare: position };
}

function filterFor(prefixes: readonly string[] | undefined): Filter {
  // No prefixes (or an empty one) means the whole log, but never the server's own `$`-events.
  if (prefixes === undefined || prefixes.length === 0 || prefixes.includes('')) return excludeSystemEvents();
  return streamNameFilter({ prefixes: [...prefixes] });
}

function commitPositionOf(resolved: ResolvedEvent | AllStreamResolvedEvent): bigint {
  const position = resolved.event?.position?.commit ?? resolved.commitPosition;
  if (position === undefined) throw new Error('KurrentDB returned an event without a log position (server older than 22.6?)');
  return position;
}

/** Our RecordedEvent, or undefined for what another application wrote (not JSON, no mreg metadata). */
function toRecordedEvent(resolved: ResolvedEvent | AllStreamResolvedEvent): RecordedEvent | undefined {
  const recorded = resolved.event;
  if (recorded === undefined || !recorded.isJson) return undefined;
  const { data, metadata } = recorded;
  if (typeof data !== 'object' || data === null || !isEventMetadata(metadata)) return undefined;
  return {
    streamId: recorded.streamId,
    streamRevision: Number(recorded.revision),
    position: commitPositionOf(resolved),
    type: recorded.type,
    data,
    metadata,
  };
}

function isEventMetadata(value: unknown): value is EventMetadata {
  return typeof value === 'object' && value !== null && typeof (value as { eventId?: unknown }).eventId === 'string';
}
