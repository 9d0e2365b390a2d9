import { DatabaseSync, type SQLInputValue, type StatementSync } from 'node:sqlite';
import type { EventMetadata, RecordedEvent } from '@mreg/shared/contracts';
import { WrongExpectedRevisionError } from './event-store.port';
import type { AllEventHandler, AppendResult, EventStore, ExpectedRevision, Leases, NewEvent, ReadAllOptions, ReadStreamOptions, SubscribeAllOptions, Subscription } from './event-store.port';
import { LiveSubscriptions } from './live-subscriptions';

export interface SqliteEventStoreOptions {
  /** How long a writer waits for another connection's write lock, in ms (default 5000). */
  readonly busyTimeoutMs?: number;
  /** How often live subscriptions look for events written by other processes, in ms (default 200). */
  readonly pollIntervalMs?: number;
  /** Events read per catch-up page (default 500). */
  readonly pageSize?: number;
}

interface EventRow {
  readonly position: bigint;
  readonly stream_id: string;
  readonly revision: bigint;
  readonly event_id: string;
  readonly type: string;
  readonly data: string;
  readonly metadata: string;
}

const COLUMNS = 'position, stream_id, revision, event_id, type, data, metadata';

/** An append waiting for the next group commit. */
interface PendingAppend {
  readonly streamId: string;
  readonly events: readonly NewEvent[];
  readonly expected: ExpectedRevision;
  readonly resolve: (result: AppendResult) => void;
  readonly reject: (error: unknown) => void;
}

/**
 * The embedded event store (docs/design.md §2): one SQLite file in WAL mode. `synchronous=FULL` makes an
 * acknowledged append durable across power loss; `BEGIN IMMEDIATE` takes the write lock up front so the
 * revision check and the insert see the same stream state, even with other processes on the same file.
 */
export class SqliteEventStore implements EventStore {
  private readonly db: DatabaseSync;
  private readonly pollIntervalMs: number;
  private readonly pageSize: number;
  private readonly subscriptions = new LiveSubscriptions<AllSubscription>();
  private readonly statements = new Map<string, StatementSync>();
  private readonly pendingAppends: PendingAppend[] = [];
  private closed = false;

  constructor(path: string, options: SqliteEventStoreOptions = {}) {
    this.pollIntervalMs = options.pollIntervalMs ?? 200;
    this.pageSize = options.pageSize ?? 500;
    this.db = new DatabaseSync(path, { timeout: options.busyTimeoutMs ?? 5000 });
    this.db.exec(`
      PRAGMA journal_mode = WAL;
      PRAGMA synchronous = FULL;
      CREATE TABLE IF NOT EXISTS events (
        position INTEGER PRIMARY KEY AUTOINCREMENT,
        stream_id TEXT NOT NULL,
        revision INTEGER NOT NULL,
        event_id TEXT NOT NULL UNIQUE,
        type TEXT NOT NULL,
        -- JSON kept as TEXT: a column declared JSON would get NUMERIC affinity
        data TEXT NOT NULL,
        metadata TEXT NOT NULL,
        UNIQUE (stream_id, revision)
      );
      -- Leases of the processes sharing this file (decision 28); expiry in ms of the epoch, on the host's clock.
      CREATE TABLE IF NOT EXISTS leases (
        name TEXT PRIMARY KEY,
        holder TEXT NOT NULL,
        expires_at INTEGER NOT NULL
      );
    `);
  }

  /** One file, one host: the processes sharing it share its clock too. */
  readonly leases: Leases = {
    acquireLease: async (name, holder, ttlMs) => {
      this.assertOpen();
      const now = Date.now();
      // Taken when free, expired or already the holder's; otherwise the update's condition fails and no row returns.
      const row = this.statement(
        `INSERT INTO leases (name, holder, expires_at) VALUES (?, ?, ?)
         ON CONFLICT (name) DO UPDATE SET holder = excluded.holder, expires_at = excluded.expires_at
         WHERE leases.holder = excluded.holder OR leases.expires_at <= ?
         RETURNING holder`,
      ).get(name, holder, now + Math.max(0, Math.floor(ttlMs)), now);
      return row !== undefined;
    },
    releaseLease: async (name, holder) => {
      this.assertOpen();
      this.statement('DELETE FROM leases WHERE name = ? AND holder = ?').run(name, holder);
    },
  };

  /**
   * Group commit: appends asked for in one turn of the event loop share one transaction, so concurrent writers
   * pay for one fsync together instead of one each. Each append is checked in its own savepoint: a conflict
   * fails that append alone. Every append is answered only after the shared commit is durable.
   */
  append(streamId: string, events: readonly NewEvent[], expected: ExpectedRevision): Promise<AppendResult> {
    this.assertOpen();
    return new Promise<AppendResult>((resolve, reject) => {
      this.pendingAppends.push({ streamId, events, expected, resolve, reject });
      if (this.pendingAppends.length === 1) setImmediate(() => this.commitPending());
    });
  }

  private commitPending(): void {
    const batch = this.pendingAppends.splice(0);
    if (batch.length === 0) return;
    const outcomes: ({ result: AppendResult } | { error: unknown })[] = [];
    let wrote = false;
    try {
      this.assertOpen();
      this.db.exec('BEGIN IMMEDIATE');
      for (const append of batch) {
        this.db.exec('SAVEPOINT append');
        try {
          const outcome = this.appendInTransaction(append.streamId, append.events, append.expected);
          this.db.exec('RELEASE append');
          wrote ||= outcome.wrote;
          outcomes.push({ result: outcome.result });
        } catch (error: unknown) {
          this.db.exec('ROLLBACK TO append');
          this.db.exec('RELEASE append');
          outcomes.push({ error });
        }
      }
      this.db.exec('COMMIT');
    } catch (error: unknown) {
      if (!this.closed && this.db.isTransaction) this.db.exec('ROLLBACK');
      for (const append of batch) append.reject(error);
      return;
    }
    if (wrote) this.wakeSubscriptions();
    batch.forEach((append, i) => {
      const outcome = outcomes[i];
      if (outcome !== undefined && 'result' in outcome) append.resolve(outcome.result);
      else append.reject(outcome?.error);
    });
  }

  async readStream(streamId: string, options: ReadStreamOptions = {}): Promise<RecordedEvent[]> {
    this.assertOpen();
    const rows = this.statement(`SELECT ${COLUMNS} FROM events WHERE stream_id = ? AND revision >= ? ORDER BY revision LIMIT ?`).all(streamId, options.fromRevision ?? 0, limitOf(options.maxCount)) as unknown as EventRow[];
    return rows.map(toRecordedEvent);
  }

  async readAll(options: ReadAllOptions = {}): Promise<RecordedEvent[]> {
    this.assertOpen();
    return this.readPage(options.after ?? 0n, limitOf(options.maxCount), options.streamPrefixes).events;
  }

  subscribeAll(handler: AllEventHandler, options: SubscribeAllOptions = {}): Subscription {
    this.assertOpen();
    return this.subscriptions.start(new AllSubscription(this, handler, options, this.pollIntervalMs, this.pageSize));
  }

  async close(): Promise<void> {
    if (this.closed) return;
    // Appends already asked for are committed (and answered) before the file closes.
    this.commitPending();
    this.closed = true;
    await this.subscriptions.closeAll();
    this.statements.clear();
    this.db.close();
  }

  /**
   * Events after `after` matching the prefixes, plus the position up to which the log has been looked at:
   * with a prefix filter the scan may pass many non-matching events, which must not be scanned again.
   */
  readPage(after: bigint, limit: number, prefixes?: readonly string[]): { events: RecordedEvent[]; scannedTo: bigint } {
    const filter = prefixFilter(prefixes);
    if (filter === undefined) {
      const rows = this.statement(`SELECT ${COLUMNS} FROM events WHERE position > ? ORDER BY position LIMIT ?`).all(after, limit) as unknown as EventRow[];
      const events = rows.map(toRecordedEvent);
      return { events, scannedTo: events.length > 0 ? events[events.length - 1].position : after };
    }
    // Positions are handed out under the write lock and become visible in order, so every event at or
    // below the head read here is already visible: bounding the scan by it makes "scanned up to" exact.
    const head = this.headPosition();
    const rows = this.statement(`SELECT ${COLUMNS} FROM events WHERE position > ? AND position <= ? AND (${filter.sql}) ORDER BY position LIMIT ?`).all(after, head, ...filter.params, limit) as unknown as EventRow[];
    const events = rows.map(toRecordedEvent);
    // A full page may stop short of the head: only what was returned counts as scanned then.
    const full = limit >= 0 && events.length === limit;
    const scannedTo = full ? (events.length > 0 ? events[events.length - 1].position : after) : head;
    return { events, scannedTo: scannedTo > after ? scannedTo : after };
  }

  get isClosed(): boolean {
    return this.closed;
  }

  private appendInTransaction(streamId: string, events: readonly NewEvent[], expected: ExpectedRevision): { result: AppendResult; wrote: boolean } {
    const last = this.statement('SELECT revision, position FROM events WHERE stream_id = ? ORDER BY revision DESC LIMIT 1').get(streamId) as { revision: bigint; position: bigint } | undefined;
    const current = last === undefined ? -1 : Number(last.revision);
    const actual = current === -1 ? 'no_stream' : current;

    const replay = this.findAlreadyAppended(streamId, events, expected, actual);
    if (replay !== undefined) return { result: replay, wrote: false };

    if (!revisionMatches(expected, current)) throw new WrongExpectedRevisionError(streamId, expected, actual);
    if (events.length === 0) {
      return { result: { nextExpectedRevision: current, position: last?.position ?? 0n }, wrote: false };
    }

    const insert = this.statement('INSERT INTO events (stream_id, revision, event_id, type, data, metadata) VALUES (?, ?, ?, ?, ?, ?) RETURNING position');
    let position = 0n;
    events.forEach((event, i) => {
      const row = insert.get(streamId, current + 1 + i, event.metadata.eventId, event.type, JSON.stringify(event.data), JSON.stringify(event.metadata)) as { position: bigint };
      position = row.position;
    });
    return { result: { nextExpectedRevision: current + events.length, position }, wrote: true };
  }

  /**
   * Idempotent re-append: when every event id is already in this stream, consecutively and in the same
   * order (and where the expected revision says they belong), the append already happened. A batch that
   * is only partly there, or there at another place, is a conflict.
   */
  private findAlreadyAppended(streamId: string, events: readonly NewEvent[], expected: ExpectedRevision, actual: number | 'no_stream'): AppendResult | undefined {
    if (events.length === 0) return undefined;
    const lookup = this.statement('SELECT stream_id, revision, position FROM events WHERE event_id = ?');
    const found = events.map((event) => lookup.get(event.metadata.eventId) as { stream_id: string; revision: bigint; position: bigint } | undefined);
    if (found.every((row) => row === undefined)) return undefined;
    const conflict = new WrongExpectedRevisionError(streamId, expected, actual);
    const first = found[0];
    if (first === undefined || first.stream_id !== streamId) throw conflict;
    const start = Number(first.revision);
    const consecutive = found.every((row, i) => row !== undefined && row.stream_id === streamId && Number(row.revision) === start + i);
    if (!consecutive) throw conflict;
    const samePlace = expected === 'any' || (expected === 'no_stream' ? start === 0 : expected === start - 1);
    if (!samePlace) throw conflict;
    const lastRow = found[found.length - 1] as { revision: bigint; position: bigint };
    return { nextExpectedRevision: Number(lastRow.revision), position: lastRow.position };
  }

  private headPosition(): bigint {
    const row = this.statement('SELECT MAX(position) AS head FROM events').get() as { head: bigint | null };
    return row.head ?? 0n;
  }

  private wakeSubscriptions(): void {
    for (const subscription of this.subscriptions) subscription.wake();
  }

  private statement(sql: string): StatementSync {
    let statement = this.statements.get(sql);
    if (statement === undefined) {
      statement = this.db.prepare(sql);
      // Positions are 64-bit: read every integer as bigint, convert revisions explicitly.
      statement.setReadBigInts(true);
      this.statements.set(sql, statement);
    }
    return statement;
  }

  private assertOpen(): void {
    if (this.closed) throw new Error('SqliteEventStore is closed');
  }
}

/** One catch-up subscription: pages through the log, then waits for a wake-up or the next poll. */
class AllSubscription implements Subscription {
  private stopped = false;
  private loop: Promise<void> = Promise.resolve();
  private wakeUp: (() => void) | undefined;
  private timer: NodeJS.Timeout | undefined;

  constructor(
    private readonly store: SqliteEventStore,
    private readonly handler: AllEventHandler,
    private readonly options: SubscribeAllOptions,
    private readonly pollIntervalMs: number,
    private readonly pageSize: number,
  ) {}

  start(onEnd: () => void): void {
    this.loop = this.run().finally(onEnd);
  }

  wake(): void {
    this.wakeUp?.();
  }

  async close(): Promise<void> {
    this.stopped = true;
    this.wake();
    await this.loop;
  }

  private async run(): Promise<void> {
    // Start on a later tick so the caller holds the Subscription before the first delivery.
    await Promise.resolve();
    let checkpoint = this.options.after ?? 0n;
    try {
      while (!this.stopped) {
        const page = this.store.readPage(checkpoint, this.pageSize, this.options.streamPrefixes);
        for (const event of page.events) {
          if (this.stopped) return;
          await this.handler(event);
          checkpoint = event.position;
        }
        checkpoint = page.scannedTo > checkpoint ? page.scannedTo : checkpoint;
        if (page.events.length === 0) await this.idle();
      }
    } catch (error: unknown) {
      this.stopped = true;
      // A failure caused by closing the store is not an error of the subscription.
      if (!this.store.isClosed) this.options.onError?.(error);
    }
  }

  private idle(): Promise<void> {
    return new Promise<void>((resolve) => {
      const done = (): void => {
        clearTimeout(this.timer);
        this.timer = undefined;
        this.wakeUp = undefined;
        resolve();
      };
      this.wakeUp = done;
      // Polling sees appends made by other processes on the same file.
      this.timer = setTimeout(done, this.pollIntervalMs);
      if (this.stopped) done();
    });
  }
}

function revisionMatches(expected: ExpectedRevision, current: number): boolean {
  if (expected === 'any') return true;
  if (expected === 'no_stream') return current === -1;
  return expected === current;
}

function prefixFilter(prefixes: readonly string[] | undefined): { sql: string; params: SQLInputValue[] } | undefined {
  // No prefixes (or an empty prefix) means the whole log.
  if (prefixes === undefined || prefixes.length === 0 || prefixes.includes('')) return undefined;
  // substr/instr avoid LIKE, whose wildcards would need escaping in stream ids.
  return {
    sql: prefixes.map(() => 'substr(stream_id, 1, length(?)) = ?').join(' OR '),
    params: prefixes.flatMap((prefix) => [prefix, prefix]),
  };
}

function limitOf(maxCount: number | undefined): number {
  // SQLite treats a negative LIMIT as "no limit".
  return maxCount === undefined ? -1 : Math.max(0, Math.floor(maxCount));
}

function toRecordedEvent(row: EventRow): RecordedEvent {
  return {
    streamId: row.stream_id,
    streamRevision: Number(row.revision),
    position: row.position,
    type: row.type,
    data: JSON.parse(row.data) as object,
    metadata: JSON.parse(row.metadata) as EventMetadata,
  };
}
