import { Client, Pool } from 'pg';
import type { Notification, PoolClient, QueryResult, QueryResultRow } from 'pg';
import type { EventMetadata, RecordedEvent } from '@mreg/shared/contracts';
import { WrongExpectedRevisionError } from './event-store.port';
import type { AllEventHandler, AppendResult, EventStore, ExpectedRevision, Leases, NewEvent, ReadAllOptions, ReadStreamOptions, SubscribeAllOptions, Subscription } from './event-store.port';
import { LiveSubscriptions } from './live-subscriptions';

export interface PostgresEventStoreOptions {
  /** e.g. `postgres://user:password@127.0.0.1:5432/mreg` (libpq's URL form; `?sslmode=…` as node-postgres reads it). */
  readonly connectionString: string;
  /**
   * The schema that holds the log's tables (default `mreg`), created on first use when missing. Several registries
   * (or test runs) share one database with a schema each.
   */
  readonly schema?: string;
  /** Connections in the pool (default 10); live subscriptions share one more, which listens for appends. */
  readonly poolSize?: number;
  /**
   * How often an idle live subscription reads the log although no notification came, in ms (default 1000): the
   * fallback for a listening connection that is down or being re-established.
   */
  readonly pollIntervalMs?: number;
  /** Events read per catch-up page (default 500). */
  readonly pageSize?: number;
}

interface EventRow {
  readonly position: string;
  readonly stream_id: string;
  readonly revision: string;
  readonly event_id: string;
  readonly type: string;
  readonly data: string;
  readonly metadata: string;
}

/** Where an event already is, by its id: what an idempotent re-append is recognised by. */
interface PlacedRow {
  readonly stream_id: string;
  readonly revision: string;
  readonly position: string;
}

/** An append waiting for the next transaction. */
interface PendingAppend {
  readonly streamId: string;
  readonly events: readonly NewEvent[];
  readonly expected: ExpectedRevision;
  /** Retried on its own after the shared transaction it was in failed. */
  readonly alone?: boolean;
  readonly resolve: (result: AppendResult) => void;
  readonly reject: (error: unknown) => void;
}

/** A statement of the shared transaction failed: the transaction is lost for every append in it. */
class TransactionLost extends Error {
  constructor(cause: unknown) {
    super('a statement of the shared append transaction failed', { cause });
  }
}

const SCHEMA = /^[a-z_][a-z0-9_]{0,55}$/;
/** Appends per transaction at most, which bounds how long one transaction holds the head. */
const MAX_BATCH = 64;
const COLUMNS = 'position, stream_id, revision, event_id, type, data, metadata';
/** A failed statement in an append that may be retried as a conflict: a unique key of the log. */
const UNIQUE_VIOLATION = '23505';

/**
 * The event store on PostgreSQL (docs/decisions/0025): one `events` table, `position` the log's global order,
 * UNIQUE (stream_id, revision) and UNIQUE event_id; `data` and `metadata` are TEXT, the JSON exactly as written.
 *
 * Appends are serialised by one row, `log_head`, locked (`SELECT … FOR UPDATE`) at the start of every appending
 * transaction and holding the last position handed out. Under that lock the expected revision is checked against
 * the stream as committed, positions are the head's next numbers (no gaps: a rolled-back append gives its numbers
 * back) and the head moves in the same transaction. Because the lock is released only after the transaction is
 * visible, positions become visible in order: a reader that sees position n sees every position below n, and
 * nothing committed later can take a lower one. Readers never lock. A notification on the schema's channel at
 * commit wakes the live subscriptions of every process (LISTEN/NOTIFY), with polling as the fallback.
 *
 * Group commit: the lock is held through the commit's flush, so appends of one process share transactions; the
 * appends asked for while one transaction runs go together into the next, on one connection, one commit.
 */
export class PostgresEventStore implements EventStore {
  private readonly pool: Pool;
  private readonly schema: string;
  private readonly channel: string;
  private readonly pollIntervalMs: number;
  private readonly pageSize: number;
  private readonly subscriptions = new LiveSubscriptions<PostgresAllSubscription>();
  private readonly pendingAppends: PendingAppend[] = [];
  private committing: Promise<void> | undefined;
  private readonly listener: AppendListener;
  private ready: Promise<void> | undefined;
  private closed = false;

  constructor(options: PostgresEventStoreOptions) {
    this.schema = options.schema ?? 'mreg';
    if (!SCHEMA.test(this.schema)) throw new Error(`PostgresEventStore: schema '${this.schema}' must match ${String(SCHEMA)}`);
    this.channel = `${this.schema}.events`;
    this.pollIntervalMs = options.pollIntervalMs ?? 1000;
    this.pageSize = Math.max(1, Math.floor(options.pageSize ?? 500));
    this.pool = new Pool({
      connectionString: options.connectionString,
      max: options.poolSize ?? 10,
      keepAlive: true,
      application_name: 'mreg',
      // A process that stops in the middle of an append (paused, cut off) must not hold the head's lock for long.
      idle_in_transaction_session_timeout: 30000,
    });
    // An idle pooled connection that breaks (a server restart) is reported by the next query that needs one.
    this.pool.on('error', () => undefined);
    this.listener = new AppendListener(options.connectionString, this.channel, () => this.wakeSubscriptions());
  }

  append(streamId: string, events: readonly NewEvent[], expected: ExpectedRevision): Promise<AppendResult> {
    this.assertOpen();
    return new Promise<AppendResult>((resolve, reject) => {
      this.pendingAppends.push({ streamId, events, expected, resolve, reject });
      this.commitNext();
    });
  }

  /** Expiry on the server's clock, so the hosts' clocks need not agree (decision 28). */
  readonly leases: Leases = {
    acquireLease: async (name, holder, ttlMs) => {
      this.assertOpen();
      await this.migrated();
      // Taken when free, expired or already the holder's; otherwise the update's condition fails and no row returns.
      const { rows } = await this.pool.query(
        `INSERT INTO ${this.table('leases')} AS l (name, holder, expires_at) VALUES ($1, $2, clock_timestamp() + make_interval(secs => $3::double precision / 1000))
         ON CONFLICT (name) DO UPDATE SET holder = excluded.holder, expires_at = excluded.expires_at
         WHERE l.holder = excluded.holder OR l.expires_at <= clock_timestamp()
         RETURNING holder`,
        [name, holder, Math.max(0, Math.floor(ttlMs))],
      );
      return rows.length > 0;
    },
    releaseLease: async (name, holder) => {
      this.assertOpen();
      await this.migrated();
      await this.pool.query(`DELETE FROM ${this.table('leases')} WHERE name = $1 AND holder = $2`, [name, holder]);
    },
  };

  async readStream(streamId: string, options: ReadStreamOptions = {}): Promise<RecordedEvent[]> {
    this.assertOpen();
    await this.migrated();
    const { rows } = await this.pool.query<EventRow>(`SELECT ${COLUMNS} FROM ${this.table('events')} WHERE stream_id = $1 AND revision >= $2 ORDER BY revision LIMIT $3`, [
      streamId,
      Math.max(0, Math.floor(options.fromRevision ?? 0)),
      limitOf(options.maxCount),
    ]);
    return rows.map(toRecordedEvent);
  }

  async readAll(options: ReadAllOptions = {}): Promise<RecordedEvent[]> {
    this.assertOpen();
    return (await this.readPage(options.after ?? 0n, limitOf(options.maxCount), options.streamPrefixes)).events;
  }

  subscribeAll(handler: AllEventHandler, options: SubscribeAllOptions = {}): Subscription {
    this.assertOpen();
    this.listener.start();
    return this.subscriptions.start(new PostgresAllSubscription(this, handler, options, this.pollIntervalMs, this.pageSize));
  }

  async close(): Promise<void> {
    if (this.closed) return;
    this.closed = true;
    // Appends already asked for are committed (and answered) before the pool closes.
    while (this.committing !== undefined) await this.committing;
    await this.subscriptions.closeAll();
    await this.listener.close();
    await this.pool.end();
  }

  get isClosed(): boolean {
    return this.closed;
  }

  /**
   * Events after `after` matching the prefixes, plus the position up to which the log has been looked at: with a
   * prefix filter the scan may pass many non-matching events, which must not be scanned again.
   */
  async readPage(after: bigint, limit: number | null, prefixes?: readonly string[]): Promise<{ events: RecordedEvent[]; scannedTo: bigint }> {
    await this.migrated();
    const filter = prefixFilter(prefixes, 3);
    if (filter === undefined) {
      const { rows } = await this.pool.query<EventRow>(`SELECT ${COLUMNS} FROM ${this.table('events')} WHERE position > $1 ORDER BY position LIMIT $2`, [after.toString(), limit]);
      const events = rows.map(toRecordedEvent);
      return { events, scannedTo: events.length > 0 ? events[events.length - 1].position : after };
    }
    // The head and the page come from one statement, so one snapshot: every event at or below that head is in
    // it (the head moves in the transaction that writes them, and appends commit in position order), which makes
    // "scanned up to the head" exact. The LEFT JOIN gives the head even when no event matches.
    const { rows } = await this.pool.query<{ head: string } & { [K in keyof EventRow]: EventRow[K] | null }>(
      `SELECT h.position AS head, e.position, e.stream_id, e.revision, e.event_id, e.type, e.data, e.metadata
         FROM ${this.table('log_head')} h
         LEFT JOIN LATERAL (
           SELECT ${COLUMNS} FROM ${this.table('events')}
            WHERE position > $1 AND position <= h.position AND (${filter.sql})
            ORDER BY position LIMIT $2
         ) e ON true`,
      [after.toString(), limit, ...filter.params],
    );
    const head = rows.length > 0 ? BigInt(rows[0].head) : after;
    const events = rows.filter((row): row is { head: string } & EventRow => row.position !== null).map(toRecordedEvent);
    // A full page may stop short of the head: only what was returned counts as scanned then.
    const full = limit !== null && events.length === limit;
    const scannedTo = full ? (events.length > 0 ? events[events.length - 1].position : after) : head;
    return { events, scannedTo: scannedTo > after ? scannedTo : after };
  }

  /** Starts a transaction for the waiting appends unless one runs; when it ends, the next starts. */
  private commitNext(): void {
    if (this.committing !== undefined || this.pendingAppends.length === 0) return;
    this.committing = this.commitPending().finally(() => {
      this.committing = undefined;
      this.commitNext();
    });
  }

  /**
   * One transaction for the appends waiting once the head's lock is held. Each is decided in turn, seeing the ones
   * before it; a conflict fails that append alone (it wrote nothing). A failed statement loses the transaction:
   * its appends are then retried one transaction each, so only a faulty one fails (and one that did commit before
   * a lost acknowledgement is recognised as a replay by its event ids).
   */
  private async commitPending(): Promise<void> {
    let batch: PendingAppend[] = [];
    let client: PoolClient | undefined;
    let reusable = true;
    try {
      await this.migrated();
      client = await this.pool.connect();
      // One round trip: the transaction starts by waiting for, then locking, the log's head. Every statement after
      // it reads with a snapshot taken once the lock is held, so it sees every append committed before this one.
      const [, locked] = (await client.query(`BEGIN; SELECT position FROM ${this.table('log_head')} FOR UPDATE`)) as unknown as [QueryResult, QueryResult<{ position: string }>];
      let head = BigInt(locked.rows[0]?.position ?? '0');
      const first = this.pendingAppends[0];
      batch = this.pendingAppends.splice(0, first?.alone ? 1 : MAX_BATCH);
      const outcomes: ({ result: AppendResult } | { error: unknown })[] = [];
      let wrote = false;
      for (const append of batch) {
        try {
          const outcome = await this.decide(client, head, append.streamId, append.events, append.expected);
          if (outcome.wrote) head = outcome.result.position;
          wrote ||= outcome.wrote;
          outcomes.push({ result: outcome.result });
        } catch (error: unknown) {
          if (error instanceof TransactionLost) throw error.cause;
          outcomes.push({ error });
        }
      }
      await client.query(wrote ? 'COMMIT' : 'ROLLBACK');
      if (wrote) this.wakeSubscriptions();
      batch.forEach((append, i) => {
        const outcome = outcomes[i];
        if (outcome !== undefined && 'result' in outcome) append.resolve(outcome.result);
        else append.reject(outcome?.error);
      });
    } catch (error: unknown) {
      // Whatever the transaction did is undone; a connection that cannot even roll back is not given back.
      await client?.query('ROLLBACK').catch(() => {
        reusable = false;
      });
      if (batch.length > 1) {
        this.pendingAppends.unshift(...batch.map((append) => ({ ...append, alone: true })));
        return;
      }
      // Nothing was taken yet (no connection): every waiting append learns why.
      const failed = batch.length === 1 ? batch : this.pendingAppends.splice(0);
      for (const append of failed) append.reject(await this.asConflict(error, append));
    } finally {
      client?.release(!reusable);
    }
  }

  /** A unique key of the log violated: only a writer that does not take the head's lock could cause it, but it is a conflict all the same. */
  private async asConflict(error: unknown, append: PendingAppend): Promise<unknown> {
    if (!isPgError(error) || error.code !== UNIQUE_VIOLATION) return error;
    return new WrongExpectedRevisionError(append.streamId, append.expected, await this.actualRevision(append.streamId).catch(() => 'no_stream' as const));
  }

  /**
   * Under the head's lock: checks the expectation and writes, or recognises a replay; `wrote` says which. A failed
   * statement is thrown as TransactionLost, anything else concerns this append alone.
   */
  private async decide(client: PoolClient, head: bigint, streamId: string, events: readonly NewEvent[], expected: ExpectedRevision): Promise<{ result: AppendResult; wrote: boolean }> {
    const query = <R extends QueryResultRow>(text: string, values: unknown[]): Promise<QueryResult<R>> =>
      client.query<R>(text, values).catch((error: unknown) => {
        throw new TransactionLost(error);
      });
    const eventIds = events.map((event) => event.metadata.eventId);
    // The stream's last event and wherever the batch's ids already are, in one statement.
    const { rows } = await query<PlacedRow & { event_id: string | null }>(
      `(SELECT stream_id, revision, position, NULL::text AS event_id FROM ${this.table('events')} WHERE stream_id = $1 ORDER BY revision DESC LIMIT 1)
       UNION ALL
       SELECT stream_id, revision, position, event_id FROM ${this.table('events')} WHERE event_id = ANY($2::text[])`,
      [streamId, eventIds],
    );
    const last = rows.find((row) => row.event_id === null);
    const placed = new Map(rows.filter((row) => row.event_id !== null).map((row) => [row.event_id as string, row]));
    const current = last === undefined ? -1 : Number(last.revision);
    const actual = current === -1 ? 'no_stream' : current;

    const replay = findAlreadyAppended(streamId, eventIds, placed, expected, actual);
    if (replay !== undefined) return { result: replay, wrote: false };

    if (!revisionMatches(expected, current)) throw new WrongExpectedRevisionError(streamId, expected, actual);
    if (events.length === 0) {
      return { result: { nextExpectedRevision: current, position: last === undefined ? 0n : BigInt(last.position) }, wrote: false };
    }

    const data = events.map((event) => JSON.stringify(event.data));
    const metadata = events.map((event) => JSON.stringify(event.metadata));
    const positions = events.map((_, i) => (head + 1n + BigInt(i)).toString());
    const newHead = head + BigInt(events.length);
    // Insert the events, move the head and notify listeners (delivered at commit) in one statement.
    await query(
      `WITH inserted AS (
         INSERT INTO ${this.table('events')} (position, stream_id, revision, event_id, type, data, metadata)
         SELECT p, $1, r, i, t, d, m FROM unnest($2::bigint[], $3::bigint[], $4::text[], $5::text[], $6::text[], $7::text[]) AS batch (p, r, i, t, d, m)
         RETURNING position
       ), moved AS (
         UPDATE ${this.table('log_head')} SET position = $8 RETURNING position
       )
       SELECT pg_notify($9, (SELECT position FROM moved)::text), (SELECT count(*) FROM inserted) AS inserted`,
      [streamId, positions, events.map((_, i) => current + 1 + i), eventIds, events.map((event) => event.type), data, metadata, newHead.toString(), this.channel],
    );
    return { result: { nextExpectedRevision: current + events.length, position: newHead }, wrote: true };
  }

  private async actualRevision(streamId: string): Promise<number | 'no_stream'> {
    const { rows } = await this.pool.query<{ revision: string }>(`SELECT revision FROM ${this.table('events')} WHERE stream_id = $1 ORDER BY revision DESC LIMIT 1`, [streamId]);
    return rows.length === 0 ? 'no_stream' : Number(rows[0].revision);
  }

  /** Creates the schema and tables once per store (several processes may race: a transaction lock orders them). */
  private migrated(): Promise<void> {
    this.ready ??= this.migrate().catch((error: unknown) => {
      // The next call tries again (the server may not have been up yet).
      this.ready = undefined;
      throw error;
    });
    return this.ready;
  }

  private async migrate(): Promise<void> {
    const { rows } = await this.pool.query<{ present: boolean }>('SELECT to_regclass($1) IS NOT NULL AND to_regclass($2) IS NOT NULL AND to_regclass($3) IS NOT NULL AS present', [
      this.table('events'),
      this.table('log_head'),
      this.table('leases'),
    ]);
    // Present: no DDL, so a role without CREATE rights can run against tables made for it.
    if (rows[0]?.present) return;
    const client = await this.pool.connect();
    try {
      await client.query('BEGIN');
      await client.query('SELECT pg_advisory_xact_lock(hashtext($1))', [`mreg-event-store:${this.schema}`]);
      await client.query(`CREATE SCHEMA IF NOT EXISTS "${this.schema}"`);
      await client.query(`
        CREATE TABLE IF NOT EXISTS ${this.table('events')} (
          position bigint PRIMARY KEY CHECK (position > 0),
          stream_id text NOT NULL,
          revision bigint NOT NULL CHECK (revision >= 0),
          event_id text NOT NULL UNIQUE,
          type text NOT NULL,
          -- JSON as TEXT, exactly as the writer serialised it: jsonb would reorder keys and refuse \\u0000
          data text NOT NULL,
          metadata text NOT NULL,
          UNIQUE (stream_id, revision)
        )`);
      // One row: the last position handed out, and the lock every append takes first.
      await client.query(`
        CREATE TABLE IF NOT EXISTS ${this.table('log_head')} (
          singleton boolean PRIMARY KEY DEFAULT true CHECK (singleton),
          position bigint NOT NULL
        )`);
      await client.query(`INSERT INTO ${this.table('log_head')} (position) SELECT coalesce(max(position), 0) FROM ${this.table('events')} ON CONFLICT DO NOTHING`);
      // Leases of the processes sharing the log (decision 28): who relays which streams.
      await client.query(`
        CREATE TABLE IF NOT EXISTS ${this.table('leases')} (
          name text PRIMARY KEY,
          holder text NOT NULL,
          expires_at timestamptz NOT NULL
        )`);
      await client.query('COMMIT');
    } catch (error: unknown) {
      await client.query('ROLLBACK').catch(() => undefined);
      throw error;
    } finally {
      client.release();
    }
  }

  private table(name: 'events' | 'log_head' | 'leases'): string {
    return `"${this.schema}".${name}`;
  }

  private wakeSubscriptions(): void {
    for (const subscription of this.subscriptions) subscription.wake();
  }

  private assertOpen(): void {
    if (this.closed) throw new Error('PostgresEventStore is closed');
  }
}

/**
 * The connection that LISTENs on the schema's channel for the live subscriptions of one store. It reconnects
 * after a break; meanwhile the subscriptions poll.
 */
class AppendListener {
  private client: Client | undefined;
  private retry: NodeJS.Timeout | undefined;
  private started = false;
  private closed = false;

  constructor(
    private readonly connectionString: string,
    private readonly channel: string,
    private readonly onAppend: () => void,
  ) {}

  /** Connects once; later calls do nothing. */
  start(): void {
    if (this.started || this.closed) return;
    this.started = true;
    void this.connect();
  }

  async close(): Promise<void> {
    this.closed = true;
    clearTimeout(this.retry);
    const client = this.client;
    this.client = undefined;
    await client?.end().catch(() => undefined);
  }

  private async connect(): Promise<void> {
    const client = new Client({ connectionString: this.connectionString, keepAlive: true, application_name: 'mreg-listener' });
    const lost = (): void => {
      if (this.client !== client) return;
      this.client = undefined;
      void client.end().catch(() => undefined);
      this.reconnectLater();
    };
    client.on('error', lost);
    client.on('end', lost);
    client.on('notification', (message: Notification) => {
      if (message.channel === this.channel) this.onAppend();
    });
    this.client = client;
    try {
      await client.connect();
      await client.query(`LISTEN "${this.channel}"`);
      if (this.closed) await client.end();
      // Appends made while no one listened are found by the wake-up that follows.
      else this.onAppend();
    } catch {
      lost();
    }
  }

  private reconnectLater(): void {
    if (this.closed) return;
    clearTimeout(this.retry);
    this.retry = setTimeout(() => void this.connect(), 1000);
    this.retry.unref();
  }
}

/** One catch-up subscription: pages through the log, then waits for a notification, a wake-up or the next poll. */
class PostgresAllSubscription implements Subscription {
  private stopped = false;
  /** A wake-up that came while a page was being read: the next idle returns at once. */
  private woken = false;
  private loop: Promise<void> = Promise.resolve();
  private wakeUp: (() => void) | undefined;
  private timer: NodeJS.Timeout | undefined;

  constructor(
    private readonly store: PostgresEventStore,
    private readonly handler: AllEventHandler,
    private readonly options: SubscribeAllOptions,
    private readonly pollIntervalMs: number,
    private readonly pageSize: number,
  ) {}

  start(onEnd: () => void): void {
    this.loop = this.run().finally(onEnd);
  }

  wake(): void {
    this.woken = true;
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
        this.woken = false;
        const page = await this.store.readPage(checkpoint, this.pageSize, this.options.streamPrefixes);
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
      if (this.stopped || this.woken) {
        done();
        return;
      }
      this.wakeUp = done;
      this.timer = setTimeout(done, this.pollIntervalMs);
    });
  }
}

/**
 * Idempotent re-append (the same rule as the SQLite store): when every event id is already in this stream,
 * consecutively and in the same order (and where the expected revision says they belong), the append already
 * happened. A batch that is only partly there, or there at another place, is a conflict.
 */
function findAlreadyAppended(streamId: string, eventIds: readonly string[], placed: ReadonlyMap<string, PlacedRow>, expected: ExpectedRevision, actual: number | 'no_stream'): AppendResult | undefined {
  if (eventIds.length === 0 || placed.size === 0) return undefined;
  const found = eventIds.map((id) => placed.get(id));
  const conflict = new WrongExpectedRevisionError(streamId, expected, actual);
  const first = found[0];
  if (first === undefined || first.stream_id !== streamId) throw conflict;
  const start = Number(first.revision);
  const consecutive = found.every((row, i) => row !== undefined && row.stream_id === streamId && Number(row.revision) === start + i);
  if (!consecutive) throw conflict;
  const samePlace = expected === 'any' || (expected === 'no_stream' ? start === 0 : expected === start - 1);
  if (!samePlace) throw conflict;
  const lastRow = found[found.length - 1] as PlacedRow;
  return { nextExpectedRevision: Number(lastRow.revision), position: BigInt(lastRow.position) };
}

function revisionMatches(expected: ExpectedRevision, current: number): boolean {
  if (expected === 'any') return true;
  if (expected === 'no_stream') return current === -1;
  return expected === current;
}

/** `starts_with` per prefix; the parameters are numbered from `first`. */
function prefixFilter(prefixes: readonly string[] | undefined, first: number): { sql: string; params: string[] } | undefined {
  // No prefixes (or an empty prefix) means the whole log.
  if (prefixes === undefined || prefixes.length === 0 || prefixes.includes('')) return undefined;
  // starts_with, not LIKE, whose wildcards would need escaping in stream ids.
  return { sql: prefixes.map((_, i) => `starts_with(stream_id, $${first + i})`).join(' OR '), params: [...prefixes] };
}

function limitOf(maxCount: number | undefined): number | null {
  // LIMIT NULL is no limit.
  return maxCount === undefined ? null : Math.max(0, Math.floor(maxCount));
}

function isPgError(error: unknown): error is Error & { code: string } {
  // The server's errors carry a five-character SQLSTATE; the client's own (a broken connection) do not.
  const code = error instanceof Error ? (error as Error & { code?: unknown }).code : undefined;
  return typeof code === 'string' && /^[0-9A-Z]{5}$/.test(code);
}

function toRecordedEvent(row: EventRow): RecordedEvent {
  return {
    streamId: row.stream_id,
    streamRevision: Number(row.revision),
    position: BigInt(row.position),
    type: row.type,
    data: JSON.parse(row.data) as object,
    metadata: JSON.parse(row.metadata) as EventMetadata,
  };
}
