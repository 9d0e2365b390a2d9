import { availableParallelism } from 'node:os';
import { DatabaseSync, type SQLInputValue, type SQLOutputValue, type StatementSync } from 'node:sqlite';
import type { BoundField, BoundFilter } from '@mreg/shared/query';
import { likeMatches, literalFor } from './in-memory-filter';
import { DEFAULT_MAX_QUEUED_READS, DEFAULT_QUERY_BUDGET_MS, QueryTooExpensiveError } from './read-store.port';
import type { Cursor, FindQuery, Page, ReadBudget, ReadCollection, ReadStore } from './read-store.port';
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

/** A compiled piece of SQL with its bound parameters, in order. */
interface Sql {
  readonly text: string;
  readonly params: SQLInputValue[];
}

/**
 * The embedded read-model store (docs/design.md §2): one SQLite table per collection, documents as JSON.
 * Filters compile to parameterised SQL over json_extract; LIKE/ILIKE run through a registered function that is
 * the very code of the in-memory evaluator, so both agree on every pattern.
 */
export class SqliteReadStore implements ReadStore {
  private readonly db: DatabaseSync;
  private readonly tables = new Set<string>();
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
      this.tables.add(table);
    }
    return new SqliteReadCollection<T>(
      table,
      (sql) => this.statement(sql),
      (query) => this.query(query),
    );
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
      const row = this.statement(`SELECT doc FROM "${this.table}" WHERE id = ?`).get(id) as { doc: string } | undefined;
      const doc = JSON.stringify(change(row === undefined ? undefined : (JSON.parse(row.doc) as T)));
      if (row === undefined) this.statement(`INSERT INTO "${this.table}" (id, doc, revisions, v) VALUES (?, ?, '{}', 1)`).run(id, doc);
      else this.statement(`UPDATE "${this.table}" SET doc = ?, v = v + 1 WHERE id = ?`).run(doc, id);
      this.statement(`INSERT INTO ${APPLIED_TABLE} (tbl, id, stream, revision) VALUES (?, ?, ?, ?) ON CONFLICT (tbl, id, stream) DO UPDATE SET revision = excluded.revision`).run(this.table, id, streamId, revision);
      return true;
    });
  }

  async appliedRevision(id: string, streamId: string): Promise<number> {
    return this.appliedNow(id, streamId);
  }

  /**
   * The revision of `streamId` the document has seen: one row of the applied table (a document such as a model
   * follows one stream per version, so a map inside the document would grow, and be rewritten, with every
   * version). Documents written before that table existed keep their marks in their `revisions` column.
   */
  private appliedNow(id: string, streamId: string): number {
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
    if (!Number.isInteger(query.limit) || query.limit < 1) throw new RangeError(`limit must be a positive integer, got ${query.limit}`);
    const key = sortKey(query.sort.field);
    const where = query.filter === undefined ? { text: '1', params: [] } : compileFilter(query.filter);
    const after = query.after === undefined ? { text: '1', params: [] } : compileCursor(query.sort.field, query.sort.direction, query.after);
    const direction = query.sort.direction === 'desc' ? 'DESC' : 'ASC';
    // SQLite orders NULL (a missing sort value) first ascending and last descending: missing is smallest.
    const sql = `SELECT id, doc, sort_key FROM (SELECT id, doc, ${key.text} AS sort_key FROM "${this.table}")` + ` WHERE mreg_within_budget() AND (${where.text}) AND (${after.text}) ORDER BY sort_key ${direction}, id ASC LIMIT ?`;
    const rows = await this.query<{ id: string; doc: string; sort_key: SQLOutputValue }[]>({ sql, params: [...key.params, ...where.params, ...after.params, query.limit + 1] });

    const more = rows.length > query.limit;
    const pageRows = more ? rows.slice(0, query.limit) : rows;
    const last = pageRows[pageRows.length - 1];
    return {
      items: pageRows.map((row) => JSON.parse(row.doc) as T),
      next: more && last !== undefined ? { value: cursorValue(last.sort_key), id: last.id } : undefined,
    };
  }

  async count(filter?: BoundFilter): Promise<number> {
    const where = filter === undefined ? { text: '1', params: [] } : compileFilter(filter);
    const row = await this.query<{ n: number }>({ sql: `SELECT COUNT(*) AS n FROM "${this.table}" WHERE mreg_within_budget() AND (${where.text})`, params: where.params, first: true });
    return Number(row.n);
  }
}

/**
 * A JSON path for json_extract with every key quoted and escaped: `$."tags"."team.name"`. SQLite reads the
 * quoted label like a JSON string, so JSON.stringify escapes quotes, backslashes and control characters.
 * The path is always bound as a parameter, never spliced into SQL.
 */
export function jsonPath(path: readonly string[]): string {
  return `$${path.map((key) => `.${JSON.stringify(key)}`).join('')}`;
}

/** SQL that is true only when the field holds a value of its type (see in-memory-filter for the semantics). */
function typeGuard(field: BoundField, type = field.type): Sql {
  const types = type === 'number' ? `('integer', 'real')` : `('text')`;
  return { text: `json_type(doc, ?) IN ${types}`, params: [jsonPath(field.path)] };
}

function compileFilter(filter: BoundFilter): Sql {
  switch (filter.kind) {
    case 'and':
    case 'or': {
      const left = compileFilter(filter.left);
      const right = compileFilter(filter.right);
      return { text: `(${left.text}) ${filter.kind === 'and' ? 'AND' : 'OR'} (${right.text})`, params: [...left.params, ...right.params] };
    }
    case 'not': {
      // A missing field makes the inner SQL NULL, and NOT NULL is NULL: coalesce so the complement matches it.
      const inner = compileFilter(filter.filter);
      return { text: `NOT COALESCE((${inner.text}), 0)`, params: inner.params };
    }
    case 'compare': {
      const literal = literalFor(filter.field, filter.value);
      if (literal === undefined) return { text: '0', params: [] };
      const guard = typeGuard(filter.field);
      // The operator comes from the closed CompareOp union, mapped to SQL here rather than spliced.
      const op = SQL_OPERATORS[filter.op];
      return { text: `${guard.text} AND json_extract(doc, ?) ${op} ?`, params: [...guard.params, jsonPath(filter.field.path), literal] };
    }
    case 'like': {
      const guard = typeGuard(filter.field, 'string');
      // The guard stays outside the negation: NOT LIKE must not match a missing value either.
      return {
        text: `${guard.text} AND ${filter.negated === true ? 'NOT ' : ''}mreg_like(json_extract(doc, ?), ?, ?)`,
        params: [...guard.params, jsonPath(filter.field.path), filter.pattern, filter.caseInsensitive ? 1 : 0],
      };
    }
    case 'in': {
      const literals = filter.values.map((value) => literalFor(filter.field, value)).filter((value) => value !== undefined);
      if (literals.length === 0) return { text: '0', params: [] };
      const guard = typeGuard(filter.field);
      return {
        text: `${guard.text} AND json_extract(doc, ?) IN (${literals.map(() => '?').join(', ')})`,
        params: [...guard.params, jsonPath(filter.field.path), ...literals],
      };
    }
    default:
      return assertNever(filter);
  }
}

const SQL_OPERATORS = { '=': '=', '!=': '<>', '<': '<', '<=': '<=', '>': '>', '>=': '>=' } as const;

/** The sort value: the field's value when it has the field's type, else NULL. */
function sortKey(field: BoundField): Sql {
  const guard = typeGuard(field);
  return { text: `CASE WHEN ${guard.text} THEN json_extract(doc, ?) END`, params: [...guard.params, jsonPath(field.path)] };
}

/** Rows strictly after the cursor in (sort_key direction, id ASC) order, NULL sort keys being the smallest. */
function compileCursor(field: BoundField, direction: 'asc' | 'desc', cursor: Cursor): Sql {
  const value = literalFor(field, cursor.value);
  if (direction === 'asc') {
    return value === undefined ? { text: '(sort_key IS NULL AND id > ?) OR sort_key IS NOT NULL', params: [cursor.id] } : { text: 'sort_key > ? OR (sort_key = ? AND id > ?)', params: [value, value, cursor.id] };
  }
  return value === undefined ? { text: 'sort_key IS NULL AND id > ?', params: [cursor.id] } : { text: 'sort_key < ? OR (sort_key = ? AND id > ?) OR sort_key IS NULL', params: [value, value, cursor.id] };
}

function cursorValue(value: SQLOutputValue): string | number | null {
  if (typeof value === 'string' || typeof value === 'number') return value;
  if (typeof value === 'bigint') return Number(value);
  return null;
}

function assertNever(value: never): never {
  throw new Error(`unexpected filter node ${JSON.stringify(value)}`);
}
