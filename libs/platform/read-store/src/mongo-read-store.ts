import { createHash } from 'node:crypto';
import { isDeepStrictEqual } from 'node:util';
import { setTimeout as sleep } from 'node:timers/promises';
import { Mongoose, Schema, mongo, type Connection, type Model } from 'mongoose';
import type { BoundFilter } from '@mreg/shared/query';
import { fieldValue, literalFor } from './in-memory-filter';
import { DOC_FIELD, decodeDocument, documentPath, encodeDocument, encodeKey } from './mongo-document.codec';
import { afterValue, compileFilter, typed, untyped, type MongoQuery } from './mongo-filter.compiler';
import { QueryTooExpensiveError } from './read-store.port';
import type { BatchedChange, Cursor, EnsureIndexOptions, FindQuery, IndexKey, Page, ReadCollection, ReadStore } from './read-store.port';

export interface MongoReadStoreOptions {
  /** How long an operation waits for a reachable server before failing, in ms (default 10000). */
  readonly serverSelectionTimeoutMs?: number;
  /**
   * The server-side budget of one find or count (`maxTimeMS`, the database's own interrupt), in ms. The query
   * does not block this process while it runs, so the default is larger than the embedded adapter's: 10000.
   */
  readonly queryBudgetMs?: number;
}

const DEFAULT_MONGO_QUERY_BUDGET_MS = 10_000;

/** Whether the server stopped an operation at its maxTimeMS. */
function isOverBudget(error: unknown): boolean {
  return error instanceof mongo.MongoServerError && (error.code === 50 || error.codeName === 'MaxTimeMSExpired');
}

/** One key of an index: a read-model field path (a BoundField fits) and its order. */

/** A read model as stored: the adapter's bookkeeping beside the encoded document. */
interface StoredDoc {
  _id: string;
  /**
   * Bumped by every write; a write is conditional on the version it read (optimistic concurrency). A new document
   * starts at a random value, so that a document dropped and created again never takes up a version a process
   * may remember from before (see WrittenDocs).
   */
  _v: number;
  /** Highest applied revision per stream, keyed by the encoded stream id. */
  _revisions: Record<string, number>;
  doc: Record<string, unknown>;
}

interface IndexSpec {
  readonly collection: string;
  readonly keys: Record<string, 1 | -1>;
  readonly name: string;
  readonly unique: boolean;
}

const COLLECTION_NAME = /^[a-z][a-z0-9_]{0,62}$/;
// MongoDB forbids /\. "$*<>:|? in database names and limits them to 63 bytes.
const DATABASE_NAME = /^[A-Za-z0-9_-]{1,63}$/;
/** Optimistic-write attempts before apply gives up; every failed attempt means another writer succeeded. */
const MAX_APPLY_ATTEMPTS = 50;
const DUPLICATE_KEY = 11000;
/** Documents whose last write this process remembers (per store), so that the next apply need not read them. */
const WRITTEN_CACHE_SIZE = 10_000;
const NAMESPACE_NOT_FOUND = 26;

// The schema types queries and lean reads; apply() writes whole stored documents through the driver. No
// mongoose `__v`, no dropping of empty objects (`tags: {}` must survive), and no index or collection work
// behind our back (indexes come from ensureIndex only).
const STORED_DOC_SCHEMA = new Schema<StoredDoc>(
  {
    _id: { type: String, required: true },
    _v: { type: Number, required: true },
    _revisions: { type: Schema.Types.Mixed, required: true },
    [DOC_FIELD]: { type: Schema.Types.Mixed },
  },
  { versionKey: false, minimize: false, autoIndex: false, autoCreate: false, id: false },
);

/**
 * The production read-model store (docs/design.md §2) on MongoDB through mongoose, kept to what FerretDB v1
 * also speaks (no transactions, change streams, $lookup/$facet, partial or TTL indexes). One collection per
 * read model; each stored document is `{_id, _v, _revisions, doc}` with every key of `doc` encoded
 * (mongo-document.codec.ts). Filters compile to query documents (mongo-filter.compiler.ts), never to text.
 */
export class MongoReadStore implements ReadStore {
  private readonly connection: Connection;
  private readonly models = new Map<string, Model<StoredDoc>>();
  private readonly indexes = new Map<string, IndexSpec>();
  private readonly writers = new KeyedQueue();
  private readonly written = new WrittenDocs(WRITTEN_CACHE_SIZE);
  private readonly queryBudgetMs: number;

  /**
   * @param url a `mongodb://` or `mongodb+srv://` connection string
   * @param database the database holding this store's collections (clear() drops all of them)
   */
  constructor(url: string, database: string, options: MongoReadStoreOptions = {}) {
    if (!DATABASE_NAME.test(database)) throw new Error(`invalid database name ${JSON.stringify(database)}`);
    // A private Mongoose instance: global settings of the app's mongoose (sanitizeFilter, strictQuery,
    // autoIndex …) must not change how this adapter's queries are cast.
    const instance = new Mongoose({ strictQuery: false, sanitizeFilter: false, autoIndex: false, autoCreate: false });
    this.connection = instance.createConnection(url, {
      dbName: database,
      serverSelectionTimeoutMS: options.serverSelectionTimeoutMs ?? 10_000,
    });
    this.queryBudgetMs = options.queryBudgetMs ?? DEFAULT_MONGO_QUERY_BUDGET_MS;
  }

  /** Resolves once connected; rejects when the server cannot be reached (for a fail-fast boot). */
  async ready(): Promise<void> {
    await this.connection.asPromise();
  }

  collection<T extends object>(name: string): ReadCollection<T> {
    return new MongoReadCollection<T>(name, this.model(name), this.writers, this.written, this.queryBudgetMs);
  }

  /**
   * Per collection, one read of every document the batch touches, the changes applied to them in memory, and one
   * bulk write; the documents are held (in this process, as apply holds one) from the read to the write. Each
   * write is conditional on the version read, as apply's are: the changes of a document another process wrote
   * meanwhile are applied again, one by one, through apply.
   */
  async applyBatch(changes: readonly BatchedChange[]): Promise<boolean[]> {
    const results = changes.map(() => false);
    const groups = new Map<string, Map<string, number[]>>();
    changes.forEach((change, i) => {
      this.model(change.collection);
      const docs = groups.get(change.collection) ?? new Map<string, number[]>();
      groups.set(change.collection, docs);
      docs.set(change.id, [...(docs.get(change.id) ?? []), i]);
    });
    const lost: number[] = [];
    let release = () => {};
    const released = new Promise<void>((resolve) => (release = resolve));
    const held = [...groups].flatMap(([name, docs]) => [...docs.keys()].map((id) => new Promise<void>((resolve) => void this.writers.run(`${name}\u0000${id}`, () => (resolve(), released)))));
    try {
      await Promise.all(held);
      // Every change is applied in memory before anything is written: a change that throws writes nothing.
      const planned: { name: string; docs: ReadonlyMap<string, readonly number[]>; writes: PlannedWrites }[] = [];
      for (const [name, docs] of groups) planned.push({ name, docs, writes: await this.planWrites(name, docs, changes, results) });
      for (const { name, docs, writes } of planned) lost.push(...(await this.write(name, docs, writes, results)));
    } finally {
      release();
    }
    for (const i of lost.sort((a, b) => a - b)) {
      const { collection, id, streamId, revision, change } = changes[i];
      results[i] = await this.collection(collection).apply(id, streamId, revision, change);
    }
    return results;
  }

  /** applyBatch's changes of one collection applied to its documents as read, in memory: the writes to make. */
  private async planWrites(name: string, docs: ReadonlyMap<string, readonly number[]>, changes: readonly BatchedChange[], results: boolean[]): Promise<PlannedWrites> {
    const collection = this.model(name).db.collection<StoredDoc>(name);
    const rows = await storedDocs(collection, [...docs.keys()]);
    const planned = new Map<string, StoredDoc>();
    const writes: mongo.AnyBulkWriteOperation<StoredDoc>[] = [];
    for (const [id, indexes] of docs) {
      const row = rows.get(id);
      const revisions: Record<string, number> = { ...row?._revisions };
      let doc: object | undefined = row === undefined ? undefined : (decodeDocument(row.doc) as object);
      let changed = false;
      for (const i of indexes) {
        const { streamId, revision, change } = changes[i];
        const stream = encodeKey(streamId);
        if (appliedRevision({ _revisions: revisions }, stream) >= revision) continue;
        doc = change(doc);
        // Defined, not assigned: a stream id such as "__proto__" is an ordinary key.
        Object.defineProperty(revisions, stream, { value: revision, enumerable: true, writable: true, configurable: true });
        results[i] = true;
        changed = true;
      }
      if (!changed) continue;
      const stored: StoredDoc = { _id: id, _v: row === undefined ? firstVersion() : row._v + 1, _revisions: revisions, doc: encodeDocument(doc as object) };
      planned.set(id, stored);
      if (row === undefined) writes.push({ insertOne: { document: stored } });
      else writes.push({ replaceOne: { filter: { _id: id, _v: row._v }, replacement: { _v: stored._v, _revisions: stored._revisions, doc: stored.doc } } });
    }
    return { planned, writes };
  }

  /** Makes the planned writes of one collection; returns the changes (indexes) another process got in ahead of. */
  private async write(name: string, docs: ReadonlyMap<string, readonly number[]>, { planned, writes }: PlannedWrites, results: boolean[]): Promise<number[]> {
    const collection = this.model(name).db.collection<StoredDoc>(name);
    if (writes.length === 0) return [];
    const remember = (id: string, stored: StoredDoc) => this.written.set(`${name}\u0000${id}`, stored);
    for (const id of planned.keys()) this.written.delete(`${name}\u0000${id}`);
    try {
      const result = await collection.bulkWrite(writes, { ordered: false });
      if (result.insertedCount + result.matchedCount === writes.length) {
        for (const [id, stored] of planned) remember(id, stored);
        return [];
      }
    } catch (error: unknown) {
      // Some writes failed (a duplicate key: created meanwhile); which ones is read back below.
      if (!(error instanceof mongo.MongoBulkWriteError)) throw error;
    }
    const now = await storedDocs(collection, [...planned.keys()]);
    const lost: number[] = [];
    for (const [id, stored] of planned) {
      const found = now.get(id);
      if (found !== undefined && found._v === stored._v && isDeepStrictEqual(found._revisions, stored._revisions)) {
        remember(id, stored);
        continue;
      }
      for (const i of docs.get(id) ?? []) {
        results[i] = false;
        lost.push(i);
      }
    }
    return lost;
  }

  /**
   * Creates (once; idempotent) an index on read-model fields of `collection`, e.g. for a common sort:
   * `ensureIndex('models', [{ path: ['metrics', 'auc'], type: 'number', direction: 'desc' }])`. Unless unique, `_id` is
   * appended ascending, the order find() breaks ties in, so the index serves the keyset page query; a sort
   * used in both directions wants one index per direction. The index is re-created after clear().
   * Returns the index name.
   */
  async ensureIndex(collection: string, keys: readonly IndexKey[], options: EnsureIndexOptions = {}): Promise<string> {
    if (keys.length === 0) throw new Error('an index needs at least one key');
    this.model(collection);
    const unique = options.unique === true;
    const spec: Record<string, 1 | -1> = {};
    for (const key of keys) spec[documentPath(key.path)] = key.direction === 'desc' ? -1 : 1;
    if (!unique) spec['_id'] = 1;
    // A name derived from the definition: short whatever the paths, and stable, so a repeat call is a no-op.
    const name = `mreg_${createHash('sha256')
      .update(JSON.stringify([spec, unique]))
      .digest('hex')
      .slice(0, 16)}`;
    const index: IndexSpec = { collection, keys: spec, name, unique };
    await this.createIndex(index);
    this.indexes.set(`${collection}/${name}`, index);
    return name;
  }

  /** Drops every collection of the database, then re-creates the indexes ensured through this store. */
  async clear(): Promise<void> {
    this.written.clear();
    const collections = await this.connection.listCollections();
    for (const { name } of collections) {
      if (name.startsWith('system.')) continue;
      try {
        await this.connection.dropCollection(name);
      } catch (error: unknown) {
        // Dropped by someone else in between: the goal is reached.
        if (!(error instanceof mongo.MongoServerError && error.code === NAMESPACE_NOT_FOUND)) throw error;
      }
    }
    for (const index of this.indexes.values()) await this.createIndex(index);
  }

  async close(): Promise<void> {
    // destroy(), not close(): the connection is never reopened, so its Mongoose instance forgets it.
    await this.connection.destroy();
  }

  private model(name: string): Model<StoredDoc> {
    if (!COLLECTION_NAME.test(name)) throw new Error(`invalid collection name ${JSON.stringify(name)}`);
    let model = this.models.get(name);
    if (model === undefined) {
      model = this.connection.model<StoredDoc>(name, STORED_DOC_SCHEMA, name);
      this.models.set(name, model);
    }
    return model;
  }

  private async createIndex(index: IndexSpec): Promise<void> {
    await this.model(index.collection).collection.createIndex(index.keys, { name: index.name, unique: index.unique });
  }
}

class MongoReadCollection<T extends object> implements ReadCollection<T> {
  constructor(
    private readonly name: string,
    private readonly model: Model<StoredDoc>,
    private readonly writers: KeyedQueue,
    private readonly written: WrittenDocs,
    private readonly queryBudgetMs: number,
  ) {}

  /** A query the server stopped at its budget becomes a QueryTooExpensiveError. */
  private async budgeted<R>(query: Promise<R>): Promise<R> {
    try {
      return await query;
    } catch (error: unknown) {
      if (isOverBudget(error)) throw new QueryTooExpensiveError(this.queryBudgetMs);
      throw error;
    }
  }

  async get(id: string): Promise<T | undefined> {
    const row = await this.model
      .findOne({ _id: id })
      .select({ [DOC_FIELD]: 1 })
      .lean<Pick<StoredDoc, '_id' | 'doc'>>();
    return row === null ? undefined : (decodeDocument(row.doc) as T);
  }

  /*
   * Writers of one document queue up in this process, and across processes each write is conditional on the
   * version it read (`_v`), retried on conflict. The queue saves MongoDB the retry storm of many projectors
   * hitting one document; it is also what keeps FerretDB v1 lossless within one process, since FerretDB does
   * not re-check an update's filter when it writes (see the int spec).
   */
  async apply(id: string, streamId: string, revision: number, change: (current: T | undefined) => T): Promise<boolean> {
    return this.writers.run(`${this.name}\u0000${id}`, () => this.applyOptimistically(id, encodeKey(streamId), revision, change));
  }

  /*
   * The first attempt starts from the document as this process last wrote it, when it remembers it and
   * the revision is new to it: a projection's next event for a document then costs one round trip, not two. The
   * write stays conditional on the remembered `_v`, so a document another process wrote since (or dropped) fails
   * it, and the attempts that follow read the document. "Already applied" is only ever decided on a fresh read.
   */
  private async applyOptimistically(id: string, stream: string, revision: number, change: (current: T | undefined) => T): Promise<boolean> {
    const key = `${this.name}\u0000${id}`;
    let duplicate: mongo.MongoServerError | undefined;
    for (let attempt = 0; attempt < MAX_APPLY_ATTEMPTS; attempt++) {
      // Jittered backoff, so that processes that keep colliding on one document spread out.
      if (attempt > 0) await sleep(Math.random() * Math.min(2 ** attempt, 100));
      const remembered = attempt === 0 ? this.written.get(key) : undefined;
      const row = remembered !== undefined && appliedRevision(remembered, stream) < revision ? remembered : await this.model.findOne({ _id: id }).lean<StoredDoc>();
      this.written.delete(key);
      // The insert failed on a duplicate key, yet there is no such document: a unique index refused it.
      if (row === null && duplicate !== undefined) throw duplicate;
      if (row !== null && appliedRevision(row, stream) >= revision) return false;

      const doc = encodeDocument(change(row === null ? undefined : (decodeDocument(row.doc) as T)));
      // Writes go to the driver collection: mongoose's casting would drop a "__proto__" key of `_revisions`,
      // and the stored document is fully formed here anyway.
      const collection = this.model.db.collection<StoredDoc>(this.name);
      if (row === null) {
        const created: StoredDoc = { _id: id, _v: firstVersion(), _revisions: { [stream]: revision }, doc };
        try {
          await collection.insertOne({ ...created });
          this.written.set(key, created);
          return true;
        } catch (error: unknown) {
          // Another process created the document first (unique _id): read it and try again.
          if (!isDuplicateKey(error)) throw error;
          duplicate = error;
          continue;
        }
      }
      // Conditional on the version read: nobody may have written in between.
      const stored = { _v: row._v + 1, _revisions: { ...row._revisions, [stream]: revision }, doc };
      const result = await collection.replaceOne({ _id: id, _v: row._v }, stored);
      if (result.matchedCount === 1) {
        this.written.set(key, { _id: id, ...stored });
        return true;
      }
    }
    throw new Error(`could not apply revision ${revision} to ${id}: too many concurrent writes`);
  }

  async appliedRevision(id: string, streamId: string): Promise<number> {
    const row = await this.model.findOne({ _id: id }).select({ _revisions: 1 }).lean<Pick<StoredDoc, '_id' | '_revisions'>>();
    return row === null ? -1 : appliedRevision(row, encodeKey(streamId));
  }

  /*
   * A missing value (or one of another type) sorts as the smallest. MongoDB would order such values by BSON
   * type instead (a string after every number), so the result is read from two parts: documents whose sort
   * field holds a value of its type, natively sorted (numbers numerically, strings by code point in the
   * simple collation), and the rest, by id. Ascending the rest comes first, descending last.
   */
  async find(query: FindQuery): Promise<Page<T>> {
    if (!Number.isInteger(query.limit) || query.limit < 1) throw new RangeError(`limit must be a positive integer, got ${query.limit}`);
    const { field, direction } = query.sort;
    const filter = query.filter === undefined ? undefined : compileFilter(query.filter);
    const want = query.limit + 1;
    const sortPath = documentPath(field.path);

    const values = (after?: MongoQuery) => (limit: number) => this.page(allOf(filter, typed(field, field.type), after), { [sortPath]: direction === 'asc' ? 1 : -1, _id: 1 }, limit);
    const rest = (afterId?: string) => (limit: number) => this.page(allOf(filter, untyped(field), afterId === undefined ? undefined : { _id: { $gt: afterId } }), { _id: 1 }, limit);

    const after = query.after;
    const afterLiteral = after === undefined ? undefined : literalFor(field, after.value);
    let parts: ((limit: number) => Promise<Pick<StoredDoc, '_id' | 'doc'>[]>)[];
    if (after === undefined) parts = direction === 'asc' ? [rest(), values()] : [values(), rest()];
    else if (afterLiteral === undefined) parts = direction === 'asc' ? [rest(after.id), values()] : [rest(after.id)];
    else {
      const next = values(afterValue(field, direction, afterLiteral, after.id));
      parts = direction === 'asc' ? [next] : [next, rest()];
    }

    const rows: Pick<StoredDoc, '_id' | 'doc'>[] = [];
    for (const part of parts) {
      if (rows.length >= want) break;
      rows.push(...(await part(want - rows.length)));
    }

    const more = rows.length > query.limit;
    const items = rows.slice(0, query.limit).map((row) => decodeDocument(row.doc) as T);
    const last = items[items.length - 1];
    const lastRow = rows[items.length - 1];
    const next: Cursor | undefined = more && last !== undefined && lastRow !== undefined ? { value: fieldValue(last, field) ?? null, id: lastRow._id } : undefined;
    return { items, next };
  }

  async count(filter?: BoundFilter): Promise<number> {
    return this.budgeted(
      this.model
        .countDocuments(filter === undefined ? {} : compileFilter(filter))
        .maxTimeMS(this.queryBudgetMs)
        .exec(),
    );
  }

  private async page(filter: MongoQuery, sort: Record<string, 1 | -1>, limit: number): Promise<Pick<StoredDoc, '_id' | 'doc'>[]> {
    return this.budgeted(
      this.model
        .find(filter)
        .select({ [DOC_FIELD]: 1 })
        .sort(sort)
        .limit(limit)
        .maxTimeMS(this.queryBudgetMs)
        .lean<Pick<StoredDoc, '_id' | 'doc'>[]>()
        .exec(),
    );
  }
}

/**
 * The stored documents this process last wrote, by collection and id, least recently written dropped first. Only
 * a starting point for the next write of the same document (which is conditional on its `_v`), never an answer
 * to a read.
 */
class WrittenDocs {
  private readonly docs = new Map<string, StoredDoc>();

  constructor(private readonly size: number) {}

  get(key: string): StoredDoc | undefined {
    return this.docs.get(key);
  }

  set(key: string, doc: StoredDoc): void {
    this.docs.delete(key);
    this.docs.set(key, doc);
    if (this.docs.size > this.size) this.docs.delete(this.docs.keys().next().value as string);
  }

  delete(key: string): void {
    this.docs.delete(key);
  }

  clear(): void {
    this.docs.clear();
  }
}

/** What applyBatch writes to one collection: each document as planned, and the bulk write that stores them. */
interface PlannedWrites {
  readonly planned: ReadonlyMap<string, StoredDoc>;
  readonly writes: mongo.AnyBulkWriteOperation<StoredDoc>[];
}

/** The stored documents with these ids, by id (read in slices, so a large batch stays within one reply). */
async function storedDocs(collection: mongo.Collection<StoredDoc>, ids: readonly string[]): Promise<Map<string, StoredDoc>> {
  const rows = new Map<string, StoredDoc>();
  for (let i = 0; i < ids.length; i += 1000) {
    for (const row of await collection.find({ _id: { $in: ids.slice(i, i + 1000) } }).toArray()) rows.set(row._id, row);
  }
  return rows;
}

/** Runs tasks with the same key one after another (in this process); tasks with different keys run freely. */
class KeyedQueue {
  private readonly tails = new Map<string, Promise<unknown>>();

  async run<R>(key: string, task: () => Promise<R>): Promise<R> {
    const previous = this.tails.get(key) ?? Promise.resolve();
    const current = previous.then(task);
    // The tail never rejects, so a failed task does not fail the ones queued behind it.
    const tail = current.catch(() => undefined);
    this.tails.set(key, tail);
    try {
      return await current;
    } finally {
      // Only the last task of a key removes it, so the map holds busy keys only.
      if (this.tails.get(key) === tail) this.tails.delete(key);
    }
  }
}

/** A new document's `_v`: random, within the integers a double holds exactly however often it is bumped. */
function firstVersion(): number {
  return 1 + Math.floor(Math.random() * 2 ** 40);
}

function appliedRevision(row: Pick<StoredDoc, '_revisions'>, stream: string): number {
  // Own keys only: a stream id such as "__proto__" or "constructor" is an ordinary key.
  return Object.hasOwn(row._revisions, stream) ? (row._revisions[stream] ?? -1) : -1;
}

function allOf(...clauses: (MongoQuery | undefined)[]): MongoQuery {
  const present = clauses.filter((clause) => clause !== undefined);
  if (present.length === 0) return {};
  return present.length === 1 ? present[0] : { $and: present };
}

function isDuplicateKey(error: unknown): error is mongo.MongoServerError {
  return error instanceof mongo.MongoServerError && error.code === DUPLICATE_KEY;
}
