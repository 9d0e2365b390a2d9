import type { BoundField, BoundFilter, FieldType } from '@mreg/shared/query';

export interface SortSpec {
  readonly field: BoundField;
  readonly direction: 'asc' | 'desc';
}

/** Keyset cursor: the sort value and id of the last item of the previous page. */
export interface Cursor {
  readonly value: string | number | null;
  readonly id: string;
}

export interface FindQuery {
  readonly filter?: BoundFilter;
  /** Ordering; ties (and missing values) are broken by document id ascending. */
  readonly sort: SortSpec;
  readonly limit: number;
  readonly after?: Cursor;
}

export interface Page<T> {
  readonly items: T[];
  /** Cursor of the last item when more items may follow; undefined on the last page. */
  readonly next?: Cursor;
}

/**
 * One collection of read-model documents. Every write is guarded by stream revision: a projection applies
 * event N of stream S to a document only if the document has not yet seen revision >= N of S, so duplicate
 * and out-of-date deliveries change nothing (docs/design.md §1).
 */
export interface ReadCollection<T extends object> {
  get(id: string): Promise<T | undefined>;
  /**
   * Applies `change` when `revision` is newer than what the document has applied of `streamId`.
   * Concurrent writers of one document are serialised (optimistic retry). Returns whether it applied.
   */
  apply(id: string, streamId: string, revision: number, change: (current: T | undefined) => T): Promise<boolean>;
  /** The highest revision of `streamId` applied to the document, or -1. */
  appliedRevision(id: string, streamId: string): Promise<number>;
  find(query: FindQuery): Promise<Page<T>>;
  count(filter?: BoundFilter): Promise<number>;
}

/** A field of the read-model documents to index, e.g. ['metrics', 'auc'], as queries read it (a BoundField fits). */
export interface IndexKey {
  readonly path: readonly string[];
  /** The type queries compare and sort the field as: the embedded adapter indexes the values of that type. */
  readonly type: FieldType;
  readonly direction?: 'asc' | 'desc';
}

export interface EnsureIndexOptions {
  /** Reject a second document with the same values. */
  readonly unique?: boolean;
}

/** One change of {@link ReadStore.applyBatch}: what `collection(collection).apply(id, streamId, revision, change)` takes. */
export interface BatchedChange<T extends object = object> {
  readonly collection: string;
  readonly id: string;
  readonly streamId: string;
  readonly revision: number;
  readonly change: (current: T | undefined) => T;
}

export interface ReadStore {
  collection<T extends object>(name: string): ReadCollection<T>;
  /**
   * Creates an index (idempotent) on fields of a collection, followed by the document id unless unique, so that
   * filters on its leading fields and sorts in its order (ties by id) need not read every document.
   */
  ensureIndex?(collection: string, keys: readonly IndexKey[], options?: EnsureIndexOptions): Promise<string>;
  /**
   * Applies many changes, in order, each exactly as `collection(c).apply(...)` would (revision guard included),
   * the way bulk work wants them: the embedded adapter in one transaction, reading and writing each document once;
   * the MongoDB adapter with one read and one bulk write per collection. Later changes of a document see the
   * earlier ones. Returns, per change, whether it applied. Optional: callers fall back to apply() one by one.
   */
  applyBatch?(changes: readonly BatchedChange[]): Promise<boolean[]>;
  /** Removes every document of every collection (used before a full replay). */
  clear(): Promise<void>;
  close(): Promise<void>;
}

export const READ_STORE = Symbol('ReadStore');

/**
 * A find or count that ran past the read budget and was stopped (cancelled by the database, or by the adapter
 * between rows). The client's query is too expensive as it stands: narrow the filter or the page.
 */
export class QueryTooExpensiveError extends Error {
  readonly code = 'QUERY_TOO_EXPENSIVE';
  constructor(readonly budgetMs: number) {
    super(`query too expensive: stopped after its budget of ${budgetMs} ms; narrow the filter or the page size`);
    this.name = 'QueryTooExpensiveError';
  }
}

/** More reads are waiting for their turn than the adapter queues: the server is saturated, retry shortly. */
export class ReadQueueFullError extends Error {
  readonly code = 'READ_QUEUE_FULL';
  constructor(readonly waiting: number) {
    super(`too many queries waiting (${waiting}); retry shortly`);
    this.name = 'ReadQueueFullError';
  }
}

/** How much one find or count may cost: its time budget, and how many may wait for a turn. */
export interface ReadBudget {
  /** Wall-clock budget of one find or count, in ms. */
  readonly queryBudgetMs?: number;
  /** Reads allowed to wait for their turn before new ones are refused. */
  readonly maxQueuedReads?: number;
}

export const DEFAULT_QUERY_BUDGET_MS = 250;
export const DEFAULT_MAX_QUEUED_READS = 256;
