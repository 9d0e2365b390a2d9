import { Readable } from 'node:stream';
import {
  ANY,
  NO_STREAM,
  StreamNotFoundError,
  WrongExpectedVersionError,
  type AppendResult as KurrentAppendResult,
  type AppendStreamState,
  type EventData,
  type Filter,
  type KurrentDBClient,
  type ReadPosition,
  type ReadRevision,
} from '@kurrent/kurrentdb-client';
import { describeEventStoreContract, newEvent, rejectionOf, waitUntil } from '@mreg/testing/contracts';
import { WrongExpectedRevisionError } from './event-store.port';
import { KurrentEventStore } from './kurrentdb-event-store';

/**
 * No KurrentDB server can run on machines without Docker, so this in-memory stand-in for the client lets the
 * whole EventStore contract exercise the adapter's own logic everywhere. It follows the server behaviour the
 * adapter relies on, as read in the KurrentDB sources: every event has its own log position (commit ==
 * prepare, gaps between them); reads of $all start *at* a position, subscriptions strictly *after* it;
 * appends are idempotent by event id at the expected place (answered without a position), a partly repeated
 * batch is a wrong expected version; the server writes its own `$`-events (here: `$>` links in `$ce-` streams).
 * The real server is tested by kurrentdb-event-store.int.spec.ts where Docker exists.
 */
interface StoredRecord {
  readonly streamId: string;
  readonly revision: bigint;
  readonly id: string;
  readonly type: string;
  readonly isJson: boolean;
  readonly data: string;
  readonly metadata: string;
  readonly position: bigint;
}

type Resolved = { event: ReturnType<typeof toClientRecord>; commitPosition: bigint };

function toClientRecord(record: StoredRecord) {
  return {
    streamId: record.streamId,
    id: record.id,
    revision: record.revision,
    type: record.type,
    isJson: record.isJson,
    created: new Date(0),
    // The client parses JSON data and metadata; JSON.parse keeps key order, as on the wire.
    data: record.isJson ? (JSON.parse(record.data) as unknown) : Buffer.from(record.data),
    metadata: record.metadata === '' ? undefined : (JSON.parse(record.metadata) as unknown),
    position: { commit: record.position, prepare: record.position },
  };
}

class FakeKurrentDB {
  private readonly log: StoredRecord[] = [];
  private nextPosition = 1000n;
  private readonly listeners = new Set<() => void>();
  private readonly positionGap: bigint;

  constructor(options: { positionGap?: bigint } = {}) {
    this.positionGap = options.positionGap ?? 137n;
  }

  async appendToStream(streamName: string, events: EventData[], options: { streamState?: AppendStreamState } = {}): Promise<KurrentAppendResult> {
    await new Promise((resolve) => setImmediate(resolve)); // let concurrent appends interleave, like a network
    const expected = options.streamState ?? ANY;
    const stream = this.log.filter((r) => r.streamId === streamName);
    const current = stream.length === 0 ? NO_STREAM : stream[stream.length - 1].revision;
    const wrong = (): WrongExpectedVersionError => new WrongExpectedVersionError(undefined, { streamName, expected, current });

    // Idempotency: the batch's first id already sits where the expectation says the batch goes.
    const start = expected === ANY ? stream.findIndex((r) => r.id === events[0]?.id) : expected === NO_STREAM ? 0 : typeof expected === 'bigint' ? Number(expected) + 1 : -1;
    if (start >= 0 && stream[start] !== undefined && stream[start].id === events[0]?.id) {
      const all = events.every((e, i) => stream[start + i]?.id === e.id);
      if (!all) throw wrong();
      return { success: true, nextExpectedRevision: BigInt(start + events.length - 1), position: undefined };
    }
    const matches = expected === ANY || (expected === NO_STREAM ? current === NO_STREAM : expected === current);
    if (!matches) throw wrong();

    let revision = current === NO_STREAM ? 0n : current + 1n;
    let first: bigint | undefined;
    let last = 0n;
    for (const event of events) {
      const position = this.write({
        streamId: streamName,
        revision,
        id: event.id,
        type: event.type,
        isJson: event.contentType === 'application/json',
        data: JSON.stringify(event.data),
        metadata: event.metadata === undefined ? '' : JSON.stringify(event.metadata),
      });
      first ??= position;
      last = position;
      revision++;
      // The server's own projection links every event into its category stream.
      const category = streamName.split('-')[0];
      this.write({ streamId: `$ce-${category}`, revision: 0n, id: `link-${event.id}`, type: '$>', isJson: false, data: 'link', metadata: '' });
    }
    this.notify();
    return { success: true, nextExpectedRevision: revision - 1n, position: { commit: last, prepare: first ?? last } };
  }

  readStream(streamName: string, options: { fromRevision?: ReadRevision; maxCount?: number | bigint; direction?: 'forwards' | 'backwards' } = {}): AsyncIterableIterator<Resolved> {
    const log = this.log;
    return (async function* () {
      await Promise.resolve();
      let records = log.filter((r) => r.streamId === streamName);
      if (records.length === 0) throw new StreamNotFoundError(undefined, streamName);
      const max = Number(options.maxCount ?? Number.MAX_SAFE_INTEGER);
      if (options.direction === 'backwards') {
        records = [...records].reverse();
        if (typeof options.fromRevision === 'bigint') records = records.filter((r) => r.revision <= (options.fromRevision as bigint));
      } else if (typeof options.fromRevision === 'bigint') {
        records = records.filter((r) => r.revision >= (options.fromRevision as bigint));
      }
      for (const record of records.slice(0, max)) yield { event: toClientRecord(record), commitPosition: record.position };
    })();
  }

  readAll(options: { fromPosition?: ReadPosition; maxCount?: number | bigint; filter?: Filter } = {}): AsyncIterableIterator<Resolved> {
    const log = this.log;
    return (async function* () {
      await Promise.resolve();
      const from = typeof options.fromPosition === 'object' ? options.fromPosition.commit : -1n;
      const max = Number(options.maxCount ?? Number.MAX_SAFE_INTEGER);
      // Inclusive of `from`, as the server's forward read of $all.
      const records = log.filter((r) => r.position >= from && passes(options.filter, r)).slice(0, max);
      for (const record of records) yield { event: toClientRecord(record), commitPosition: record.position };
    })();
  }

  subscribeToAll(options: { fromPosition?: ReadPosition; filter?: Filter } = {}): Readable & { unsubscribe(): Promise<void> } {
    let cursor = typeof options.fromPosition === 'object' ? options.fromPosition.commit : -1n;
    let cancelled = false;
    let waiting: (() => void) | undefined;
    const log = this.log;
    const listeners = this.listeners;
    const stream = new Readable({
      objectMode: true,
      read() {
        if (cancelled) return;
        // Strictly after `cursor`, as the server's subscription.
        const next = log.find((r) => r.position > cursor && passes(options.filter, r));
        if (next !== undefined) {
          cursor = next.position;
          this.push({ event: toClientRecord(next), commitPosition: next.position });
          return;
        }
        waiting = () => {
          listeners.delete(waiting as () => void);
          waiting = undefined;
          this._read(0);
        };
        listeners.add(waiting);
      },
    });
    return Object.assign(stream, {
      unsubscribe: async () => {
        // Like the real client: the gRPC call is cancelled, the stream itself never ends.
        cancelled = true;
        if (waiting !== undefined) listeners.delete(waiting);
      },
    });
  }

  async dispose(): Promise<void> {}

  /** Test hook: what another application would write into the shared log. */
  writeForeign(streamId: string): void {
    this.write({ streamId, revision: 0n, id: `foreign-${streamId}`, type: 'SomethingElse', isJson: false, data: 'bytes', metadata: '' });
    this.notify();
  }

  private notify(): void {
    // A copy: a woken reader that finds nothing for it registers again, which must wait for the next write.
    for (const listener of [...this.listeners]) queueMicrotask(listener);
  }

  private write(record: Omit<StoredRecord, 'position'>): bigint {
    const position = this.nextPosition;
    this.nextPosition += this.positionGap;
    this.log.push({ ...record, position });
    return position;
  }
}

function passes(filter: Filter | undefined, record: StoredRecord): boolean {
  if (filter === undefined) return true;
  const subject = filter.filterOn === 'streamName' ? record.streamId : record.type;
  if ('prefixes' in filter) return filter.prefixes.some((prefix) => subject.startsWith(prefix));
  return new RegExp(filter.regex).test(subject);
}

function fakeStore(fake = new FakeKurrentDB(), pageSize?: number): KurrentEventStore {
  return new KurrentEventStore({ client: fake as unknown as KurrentDBClient, pageSize });
}

describeEventStoreContract(
  'KurrentEventStore (in-memory client stand-in)',
  async () => {
    const store = fakeStore();
    return { store, cleanup: () => store.close() };
  },
  { leases: false },
);

describeEventStoreContract(
  'KurrentEventStore (stand-in, pages of 2)',
  async () => {
    const store = fakeStore(new FakeKurrentDB({ positionGap: 1n }), 2);
    return { store, cleanup: () => store.close() };
  },
  { leases: false },
);

describe('KurrentEventStore', () => {
  it('maps a conflict to WrongExpectedRevisionError with the actual revision', async () => {
    const store = fakeStore();
    await store.append('model-1', [newEvent('A'), newEvent('B')], 'no_stream');

    const error = await rejectionOf(store.append('model-1', [newEvent('C')], 'no_stream'));

    expect(error).toBeInstanceOf(WrongExpectedRevisionError);
    expect(error).toMatchObject({ streamId: 'model-1', expected: 'no_stream', actual: 1 });
    await store.close();
  });

  it('skips what other applications wrote into the log, and the server’s own $-events', async () => {
    const fake = new FakeKurrentDB();
    const store = fakeStore(fake, 2);
    await store.append('model-1', [newEvent('A')], 'no_stream');
    fake.writeForeign('billing-7');
    fake.writeForeign('billing-8');
    await store.append('model-2', [newEvent('B')], 'no_stream');

    const read = await store.readAll({ maxCount: 2 });

    expect(read.map((e) => [e.streamId, e.type])).toEqual([
      ['model-1', 'A'],
      ['model-2', 'B'],
    ]);
    await store.close();
  });

  it('keeps a retried append idempotent when the event id is not a UUID', async () => {
    const store = fakeStore();
    const event = newEvent('ModelRegistered', {}, { eventId: 'training-run-42/registered' });

    const first = await store.append('model-1', [event], 'no_stream');
    await expect(store.append('model-1', [event], 'no_stream')).resolves.toEqual(first);

    expect((await store.readStream('model-1')).map((e) => e.metadata.eventId)).toEqual(['training-run-42/registered']);
    await store.close();
  });

  it('checks the expectation of an empty append without writing', async () => {
    const store = fakeStore();
    await expect(store.append('model-1', [], 'no_stream')).resolves.toEqual({ nextExpectedRevision: -1, position: 0n });
    const { position } = await store.append('model-1', [newEvent('A')], 'no_stream');
    await expect(store.append('model-1', [], 0)).resolves.toEqual({ nextExpectedRevision: 0, position });
    await expect(store.append('model-1', [], 'no_stream')).rejects.toBeInstanceOf(WrongExpectedRevisionError);
    await store.close();
  });

  it('close ends its subscriptions', async () => {
    const store = fakeStore();
    const received: string[] = [];
    const subscription = store.subscribeAll(async (event) => {
      received.push(event.type);
    });
    await store.append('model-1', [newEvent('A')], 'no_stream');
    await waitUntil(() => received.length === 1, 'the first delivery');

    await store.close();

    await expect(subscription.close()).resolves.toBeUndefined();
    expect(() => store.subscribeAll(async () => undefined)).toThrow('closed');
  });
});
