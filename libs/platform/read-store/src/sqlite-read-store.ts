import { createHash } from 'node:crypto';
import { availableParallelism } from 'node:os';
import { DatabaseSync, type SQLOutputValue, type StatementSync } from 'node:sqlite';
import type { BoundFilter } from '@mreg/shared/query';
import { likeMatches } from './in-memory-filter';
import { DEFAULT_MAX_QUEUED_READS, DEFAULT_QUERY_BUDGET_MS, QueryTooExpensiveError } from './read-store.port';
import type { BatchedChange, EnsureIndexOptions, FindQuery, IndexKey, Page, ReadBudget, ReadCollection, ReadStore } from './read-store.port';
import { compileFilter, compilePage, indexColumns, indexedPathsOf, jsonPath, type IndexedPaths, type Sql } from './sqlite-filter.compiler';
import { ReadTurns } from './read-turns';
import { SqliteQueryWorkers, type WorkerQuery } from './sqlite-query-workers';

export interface SqliteReadStoreOptions extends ReadBudget {
  /** How long a writer waits for another connection's write lock, in ms (default 5000). */
  readonly busyTimeoutMs?: number;
  /**
   * Worker threads that run finds and counts off the event loop (default: one per spare core, at least one).
   * 0 runs them on the main thread, one per event-loop turn; an in-memory database always does.
   */
  readonly queryWorkers?: number;
}

/** One worker per core the event loop does not need, at least one. */
export function defaultQueryWorkers(): number {
  return Math.max(1, Math.min(4, availableParallelism() - 1));
}

/**
 * The budget of the read in progress. node:sqlite has no interrupt, so the SQL calls back into it: once per row
 * scanned (`mreg_within_budget()` heads every WHERE) and in every LIKE; past the deadline the callback throws,
 * which aborts the statement.
 */
class ReadClock {
  /** CPU time (µs, this process) at which the read in progress is over its budget; none outside a read. */
  private limitMicros = Number.POSITIVE_INFINITY;
  private exceeded = false;
  private calls = 0;

  constructor(readonly budgetMs: number) {}

  /** Runs one read under the budget; a read stopped by it becomes a QueryTooExpensiveError. */
  within<T>(read: () => T): T {
    this.limitMicros = cpuMicros() + this.budgetMs * 1000;
    this.exceeded = false;
    this.calls = 0;
    try {
      return read();
    } catch (error: unknown) {
      if (this.exceeded) throw new QueryTooExpensiveError(this.budgetMs);
      throw error;
    } finally {
      this.limitMicros = Number.POSITIVE_INFINITY;
    }
  }

  /**
   * The budget counts the CPU time the read itself spends (the process's, which a synchronous read holds), not
   * the wall clock: on a machine busy with other processes an ordinary query is not cut short. Read every 32
   * calls, so the check costs next to nothing per row.
   */
  check(): void {
    if ((++this.calls & 31) !== 0) return;
    if (cpuMicros() > this.limitMicros) {
      this.exceeded = true;
      throw new Error('read budget exceeded');
    }
  }
}

function cpuMicros(): number {
  const { user, system } = process.cpuUsage();
  return user + system;
}

const COLLECTION_NAME = /^[a-z][a-z0-9_]{0,62}$/;
const TABLE_PREFIX = 'rm_';
/** Which revision of which stream each document has applied (see SqliteReadCollection.appliedNow). */
const APPLIED_TABLE = 'mreg_applied';
const STATEMENT_CACHE_SIZE = 256;

export { jsonPath } from './sqlite-filter.compiler';

/**
 * The embedded read-model store (docs/design.md §2): one SQLite table per collection, documents as JSON.
 * Filters compile to parameterised SQL over json_extract (sqlite-filter.compiler.ts); LIKE/ILIKE run through a
 * registered function that is the very code of the in-memory evaluator, so both agree on every pattern.
 * ensureIndex builds expression indexes on fields' typed values, which the compiled queries then use.
 */
export class SqliteReadStore implements ReadStore {
  private readonly db: DatabaseSync;
  /** The tables this connection has seen, with the JSON paths their indexes read. */
  private readonly tables = new Map<string, Set<string>>();
  private readonly statements = new Map<string, StatementSync>();
  private readonly clock: ReadClock;
  private readonly turns: ReadTurns;
  private readonly workers?: SqliteQueryWorkers;

  constructor(path: string, options: SqliteReadStoreOptions = {}) {
    const busyTimeoutMs = options.busyTimeoutMs ?? 5000;
    const budgetMs = options.queryBudgetMs ?? DEFAULT_QUERY_BUDGET_MS;
    const maxWaiting = options.maxQueuedReads ?? DEFAULT_MAX_QUEUED_READS;
    this.db = new DatabaseSync(path, { timeout: busyTimeoutMs });
    this.clock = new ReadClock(budgetMs);
    this.turns = new ReadTurns(maxWaiting);
    // Read models are rebuilt by replaying the log, so NORMAL (consistent, maybe not the last commit) is enough.
    this.db.exec('PRAGMA journal_mode = WAL; PRAGMA synchronous = NORMAL;');
    this.db.exec(`CREATE TABLE IF NOT EXISTS ${APPLIED_TABLE} (tbl TEXT NOT NULL, id TEXT NOT NULL, stream TEXT NOT NULL, revision INTEGER NOT NULL, PRIMARY KEY (tbl, id, stream)) WITHOUT ROWID`);
    const size = options.queryWorkers ?? defaultQueryWorkers();
    // Workers open the file again, read-only: an in-memory database exists only in this connection.
    if (size > 0 && path !== ':memory:' && path !== '') this.workers = new SqliteQueryWorkers(path, { budgetMs, size, maxWaiting, busyTimeoutMs });
    const clock = this.clock;
    this.db.function('mreg_like', { deterministic: true }, (value, pattern, caseInsensitive) => {
      clock.check();
      return typeof value === 'string' && typeof pattern === 'string' && likeMatches(value, pattern, caseInsensitive === 1) ? 1 : 0;
    });
    this.db.function('mreg_within_budget', { deterministic: false }, () => {
      clock.check();
      return 1;
    });
  }

  collection<T extends object>(name: string): ReadCollection<T> {
    return this.sqliteCollection<T>(name);
  }

  /**
   * One transaction for the whole batch. A document several changes touch is read (and parsed) once, changed in
   * memory and written (serialised) once at the end, with one applied mark per stream: what a rebuild does to a
   * model document that every one of its versions' events touches.
   */
  async applyBatch(changes: readonly BatchedChange[]): Promise<boolean[]> {
    if (changes.length === 0) return [];
    const collections = new Map<string, SqliteReadCollection<object>>();
    const docs = new Map<string, { collection: SqliteReadCollection<object>; id: string; doc: object | undefined; stored: boolean; changed: boolean }>();
    const marks = new Map<string, { collection: SqliteReadCollection<object>; id: string; streamId: string; revision: number; changed: boolean }>();
    const results: boolean[] = [];
    // Tables are created before the transaction: one its rollback dropped would still be taken for existing.
    for (const { collection: name } of changes) if (!collections.has(name)) collections.set(name, this.sqliteCollection<object>(name));
    this.statement('BEGIN IMMEDIATE').run();
    try {
      for (const { collection: name, id, streamId, revision, change } of changes) {
        const collection = collections.get(name) as SqliteReadCollection<object>;
        const key = `${name}\u0000${id}`;
        const markKey = `${key}\u0000${streamId}`;
        const mark = marks.get(markKey);
        if ((mark?.revision ?? collection.appliedNow(id, streamId)) >= revision) {
          results.push(false);
          continue;
        }
        let entry = docs.get(key);
        if (entry === undefined) {
          const doc = collection.readNow(id);
          entry = { collection, id, doc, stored: doc !== undefined, changed: false };
          docs.set(key, entry);
        }
        entry.doc = change(entry.doc);
        entry.changed = true;
        if (mark === undefined) marks.set(markKey, { collection, id, streamId, revision, changed: true });
        else Object.assign(mark, { revision, changed: true });
        results.push(true);
      }
      for (const entry of docs.values()) if (entry.changed) entry.collection.writeNow(entry.id, entry.doc as object, entry.stored);
      for (const mark of marks.values()) if (mark.changed) mark.collection.markNow(mark.id, mark.streamId, mark.revision);
      this.statement('COMMIT').run();
      return results;
    } catch (error: unknown) {
      if (this.db.isTransaction) this.statement('ROLLBACK').run();
      throw error;
    }
  }

  private sqliteCollection<T extends object>(name: string): SqliteReadCollection<T> {
    const table = this.table(name);
    return new SqliteReadCollection<T>(
      table,
      this.tables.get(table) as IndexedPaths,
      (sql) => this.statement(sql),
      (query) => this.query(query),
    );
  }

  /**
   * Creates (once; idempotent) an expression index on fields of `collection`: each key's typed value (the value
   * when it has the key's type, else NULL; see sqlite-filter.compiler.ts) in its direction, then the document id
   * ascending unless unique, the order find() breaks ties in, so the index serves the keyset page query. A sort
   * used in both directions wants one index per direction. From then on, queries on these fields spell them as the
   * index does, which is what lets SQLite use it. Building it on a full table takes a while, once.
   * Returns the index name.
   */
  async ensureIndex(collection: string, keys: readonly IndexKey[], options: EnsureIndexOptions = {}): Promise<string> {
    if (keys.length === 0) throw new Error('an index needs at least one key');
    const table = this.table(collection);
    const unique = options.unique === true;
    const columns = [...indexColumns(keys), ...(unique ? [] : ['id'])];
    // A name derived from the definition: short whatever the paths, and stable, so a repeat call is a no-op.
    const name = `mreg_${createHash('sha256')
      .update(JSON.stringify([table, columns, unique]))
      .digest('hex')
      .slice(0, 16)}`;
    // The table name is validated and every path is a quoted literal (sqlString), so the statement holds no input.
    this.db.exec(`CREATE ${unique ? 'UNIQUE ' : ''}INDEX IF NOT EXISTS "${name}" ON "${table}" (${columns.join(', ')})`);
    const paths = this.tables.get(table) as Set<string>;
    for (const key of keys) paths.add(jsonPath(key.path));
    return name;
  }

  /**
   * How SQLite would run find(query) on `collection`: the EXPLAIN QUERY PLAN lines (e.g. `SEARCH rm_models USING
   * INDEX mreg_… (<expr>=?)`). For tests and for looking into a slow list; nothing is read.
   */
  queryPlan(collection: string, query: FindQuery): string[] {
    const table = this.table(collection);
    const page = pageSql(table, this.tables.get(table) as IndexedPaths, query);
    return (this.db.prepare(`EXPLAIN QUERY PLAN ${page.text}`).all(...page.params) as { detail: string }[]).map((row) => row.detail);
  }

  /** The table of a collection, created if needed; the first time, the paths its indexes read are looked up. */
  private table(name: string): string {
    if (!COLLECTION_NAME.test(name)) throw new Error(`invalid collection name ${JSON.stringify(name)}`);
    const table = `${TABLE_PREFIX}${name}`;
    if (!this.tables.has(table)) {
      // The name is validated above, so splicing it as a quoted identifier is safe.
      this.db.exec(`CREATE TABLE IF NOT EXISTS "${table}" (
        id TEXT PRIMARY KEY,
        doc TEXT NOT NULL,
        revisions TEXT NOT NULL,
        v INTEGER NOT NULL
      )`);
      // Indexes another process (or an earlier run) built count too.
      const indexes = this.db.prepare(`SELECT sql FROM sqlite_master WHERE type = 'index' AND tbl_name = ? AND sql IS NOT NULL`).all(table) as { sql: string }[];
      this.tables.set(table, new Set(indexes.flatMap((index) => indexedPathsOf(index.sql))));
    }
    return table;
  }

  async clear(): Promise<void> {
    const tables = this.db.prepare(`SELECT name FROM sqlite_master WHERE type = 'table' AND substr(name, 1, ${TABLE_PREFIX.length}) = ?`).all(TABLE_PREFIX) as { name: string }[];
    this.db.exec('BEGIN IMMEDIATE');
    try {
      for (const { name } of tables) this.db.exec(`DELETE FROM "${name.replace(/"/g, '""')}"`);
      this.db.exec(`DELETE FROM ${APPLIED_TABLE}`);
      this.db.exec('COMMIT');
    } catch (error: unknown) {
      if (this.db.isTransaction) this.db.exec('ROLLBACK');
      throw error;
    }
  }

  async close(): Promise<void> {
    await this.workers?.close();
    this.statements.clear();
    if (this.db.isOpen) this.db.close();
  }

  /** A find or count, under the read budget: in a worker thread, or on this thread when it takes its turn. */
  private query<R>(query: WorkerQuery): Promise<R> {
    if (this.workers !== undefined) return this.workers.run<R>(query);
    return this.turns.run(() => this.clock.within(() => (query.first === true ? this.statement(query.sql).get(...query.params) : this.statement(query.sql).all(...query.params)) as R));
  }

  private statement(sql: string): StatementSync {
    let statement = this.statements.get(sql);
    if (statement === undefined) {
      // Filters vary without bound; a full reset keeps the cache small and simple.
      if (this.statements.size >= STATEMENT_CACHE_SIZE) this.statements.clear();
      statement = this.db.prepare(sql);
      this.statements.set(sql, statement);
    }
    return statement;
  }
}

class SqliteReadCollection<T extends object> implements ReadCollection<T> {
  constructor(
    private readonly table: string,
    /** The paths the table's indexes read (kept up to date by ensureIndex). */
    private readonly indexed: IndexedPaths,
    private readonly statement: (sql: string) => StatementSync,
    /** Queries (find, count) run under the read budget, off the event loop where they can. */
    private readonly query: <R>(query: WorkerQuery) => Promise<R>,
  ) {}

  async get(id: string): Promise<T | undefined> {
    const row = this.statement(`SELECT doc FROM "${this.table}" WHERE id = ?`).get(id) as { doc: string } | undefined;
    return row === undefined ? undefined : (JSON.parse(row.doc) as T);
  }

  async apply(id: string, streamId: string, revision: number, change: (current: T | undefined) => T): Promise<boolean> {
    // One transaction: the revision check, the document and the applied mark change together, and no other
    // connection writes in between (BEGIN IMMEDIATE takes the write lock up front).
    return this.transaction(() => {
      if (this.appliedNow(id, streamId) >= revision) return false;
      const current = this.readNow(id);
      this.writeNow(id, change(current), current !== undefined);
      this.markNow(id, streamId, revision);
      return true;
    });
  }

  /** The document as stored (inside the caller's transaction). */
  readNow(id: string): T | undefined {
    const row = this.statement(`SELECT doc FROM "${this.table}" WHERE id = ?`).get(id) as { doc: string } | undefined;
    return row === undefined ? undefined : (JSON.parse(row.doc) as T);
  }

  /** Stores the document (inside the caller's transaction); `stored`: whether a row for it exists. */
  writeNow(id: string, doc: T, stored: boolean): void {
    const json = JSON.stringify(doc);
    if (!stored) this.statement(`INSERT INTO "${this.table}" (id, doc, revisions, v) VALUES (?, ?, '{}', 1)`).run(id, json);
    else this.statement(`UPDATE "${this.table}" SET doc = ?, v = v + 1 WHERE id = ?`).run(json, id);
  }

  /** Records that the document has applied `revision` of `streamId` (inside the caller's transaction). */
  markNow(id: string, streamId: string, revision: number): void {
    this.statement(`INSERT INTO ${APPLIED_TABLE} (tbl, id, stream, revision) VALUES (?, ?, ?, ?) ON CONFLICT (tbl, id, stream) DO UPDATE SET revision = excluded.revision`).run(this.table, id, streamId, revision);
  }

  async appliedRevision(id: string, streamId: string): Promise<number> {
    return this.appliedNow(id, streamId);
  }

  /**
   * The revision of `streamId` the document has seen: one row of the applied table (a document such as a model
   * follows one stream per version, so a map inside the document would grow, and be rewritten, with every
   * version). Documents written before that table existed keep their marks in their `revisions` column.
   */
  appliedNow(id: string, streamId: string): number {
    const row = this.statement(`SELECT COALESCE((SELECT revision FROM ${APPLIED_TABLE} WHERE tbl = ? AND id = ? AND stream = ?), (SELECT json_extract(revisions, ?) FROM "${this.table}" WHERE id = ?)) AS applied`).get(
      this.table,
      id,
      streamId,
      jsonPath([streamId]),
      id,
    ) as { applied: SQLOutputValue };
    return typeof row.applied === 'number' ? row.applied : -1;
  }

  private transaction<R>(work: () => R): R {
    this.statement('BEGIN IMMEDIATE').run();
    try {
      const result = work();
      this.statement('COMMIT').run();
      return result;
    } catch (error: unknown) {
      this.statement('ROLLBACK').run();
      throw error;
    }
  }

  async find(query: FindQuery): Promise<Page<T>> {
    const page = pageSql(this.table, this.indexed, query);
    const rows = await this.query<{ id: string; doc: string; sort_key: SQLOutputValue }[]>({ sql: page.text, params: page.params });

    const more = rows.length > query.limit;
    const pageRows = more ? rows.slice(0, query.limit) : rows;
    const last = pageRows[pageRows.length - 1];
    return {
      items: pageRows.map((row) => JSON.parse(row.doc) as T),
      next: more && last !== undefined ? { value: cursorValue(last.sort_key), id: last.id } : undefined,
    };
  }

  async count(filter?: BoundFilter): Promise<number> {
    const where = filter === undefined ? { text: '1', params: [] } : compileFilter(filter, this.indexed);
    const row = await this.query<{ n: number }>({ sql: `SELECT COUNT(*) AS n FROM "${this.table}" WHERE mreg_within_budget() AND (${where.text})`, params: where.params, first: true });
    return Number(row.n);
  }
}

/** The SELECT of find(query): one more row than the page, to know whether more follow. */
function pageSql(table: string, indexed: IndexedPaths, query: FindQuery): Sql {
  if (!Number.isInteger(query.limit) || query.limit < 1) throw new RangeError(`limit must be a positive integer, got ${query.limit}`);
  const { filter, after } = query;
  return compilePage({ table, field: query.sort.field, direction: query.sort.direction, limit: query.limit + 1, ...(filter ? { filter } : {}), ...(after ? { after } : {}) }, indexed);
}

function cursorValue(value: SQLOutputValue): string | number | null {
  if (typeof value === 'string' || typeof value === 'number') return value;
  if (typeof value === 'bigint') return Number(value);
  return null;
}
