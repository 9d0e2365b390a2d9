import { Worker } from 'node:worker_threads';
import type * as WorkerThreads from 'node:worker_threads';
import type * as Sqlite from 'node:sqlite';
import type { SQLInputValue } from 'node:sqlite';
import { LIKE_MATCHER_SOURCE, type likeMatches } from './like-pattern';
import { QueryTooExpensiveError, ReadQueueFullError } from './read-store.port';

/** One query for a worker: a SELECT with its parameters, all rows or the first. */
export interface WorkerQuery {
  readonly sql: string;
  readonly params: readonly SQLInputValue[];
  readonly first?: boolean;
}

export interface SqliteQueryWorkersOptions {
  /** CPU time one query may spend in its worker, in ms. */
  readonly budgetMs: number;
  /** Worker threads, each with its own read-only connection. */
  readonly size: number;
  /** Queries that may wait for a free worker before new ones are refused. */
  readonly maxWaiting: number;
  readonly busyTimeoutMs: number;
  /** Wall time after which a worker that has not answered is stopped (default: 20 budgets, at least 5 s). */
  readonly stopAfterMs?: number;
}

/** What a worker is handed when it starts. */
interface WorkerSetup {
  readonly path: string;
  readonly budgetMs: number;
  readonly busyTimeoutMs: number;
}

type WorkerReply = { readonly ready: true } | { readonly rows: unknown } | { readonly error: string; readonly overBudget: boolean };

/**
 * The program of a query worker thread. It runs from its source text (`new Worker(source, { eval: true })`):
 * only its parameter, globals and `require` are in scope, so the same code runs from the TypeScript sources
 * (tests) and from the build. The budget is the thread's own CPU time, checked once per scanned row and in
 * every LIKE; past it, the SQL function throws and SQLite aborts the statement.
 */
function queryWorkerProgram(matches: typeof likeMatches): void {
  /* eslint-disable @typescript-eslint/no-require-imports -- the program is evaluated as a script in its thread */
  const threads = require('node:worker_threads') as typeof WorkerThreads;
  const { DatabaseSync } = require('node:sqlite') as typeof Sqlite;
  /* eslint-enable @typescript-eslint/no-require-imports */
  const { parentPort } = threads;
  const setup = threads.workerData as WorkerSetup;
  const db = new DatabaseSync(setup.path, { readOnly: true, timeout: setup.busyTimeoutMs });
  const cpuMicros = (): number => {
    const { user, system } = process.threadCpuUsage();
    return user + system;
  };
  let limit = Number.POSITIVE_INFINITY;
  let calls = 0;
  let overBudget = false;
  const check = (): void => {
    if ((++calls & 31) !== 0 || cpuMicros() <= limit) return;
    overBudget = true;
    throw new Error('read budget exceeded');
  };
  db.function('mreg_like', { deterministic: true }, (value, pattern, caseInsensitive) => {
    check();
    return typeof value === 'string' && typeof pattern === 'string' && matches(value, pattern, caseInsensitive === 1) ? 1 : 0;
  });
  db.function('mreg_within_budget', { deterministic: false }, () => {
    check();
    return 1;
  });
  const statements = new Map<string, ReturnType<typeof db.prepare>>();
  parentPort?.postMessage({ ready: true });
  parentPort?.on('message', (query: WorkerQuery) => {
    limit = cpuMicros() + setup.budgetMs * 1000;
    calls = 0;
    overBudget = false;
    try {
      let statement = statements.get(query.sql);
      if (statement === undefined) {
        if (statements.size >= 256) statements.clear();
        statement = db.prepare(query.sql);
        statements.set(query.sql, statement);
      }
      const rows = query.first === true ? statement.get(...query.params) : statement.all(...query.params);
      parentPort.postMessage({ rows });
    } catch (error: unknown) {
      parentPort.postMessage({ error: error instanceof Error ? error.message : String(error), overBudget });
    } finally {
      limit = Number.POSITIVE_INFINITY;
    }
  });
}

const WORKER_SOURCE = `${LIKE_MATCHER_SOURCE}\n(${queryWorkerProgram.toString()})(likeMatches);\n`;

/** A worker that does not answer within this many budgets of wall time is stopped and replaced. */
const WALL_CLOCK_BUDGETS = 20;
const MIN_WALL_CLOCK_MS = 5000;

interface Job {
  readonly query: WorkerQuery;
  readonly resolve: (rows: unknown) => void;
  readonly reject: (error: Error) => void;
}

interface Slot {
  readonly worker: Worker;
  /** Whether the worker has opened its connection and takes queries. */
  ready: boolean;
  job?: Job;
  timer?: NodeJS.Timeout;
}

/**
 * Runs embedded read queries (finds and counts) in worker threads, each with its own read-only connection to
 * the WAL database, so a slow query never holds the event loop: `/health` and cheap requests are answered while
 * it runs, and one over its budget is aborted by SQLite in its thread, or, should it hang, the thread is
 * stopped and replaced. Writes stay on the main connection; a query sees every commit made before it started.
 */
export class SqliteQueryWorkers {
  private readonly slots: Slot[] = [];
  private readonly waiting: Job[] = [];
  private closed = false;

  constructor(
    private readonly path: string,
    private readonly options: SqliteQueryWorkersOptions,
  ) {}

  run<T>(query: WorkerQuery): Promise<T> {
    if (this.closed) return Promise.reject(new Error('the read store is closed'));
    if (this.waiting.length >= this.options.maxWaiting) return Promise.reject(new ReadQueueFullError(this.waiting.length));
    return new Promise<T>((resolve, reject) => {
      this.waiting.push({ query, resolve: resolve as (rows: unknown) => void, reject });
      this.dispatch();
    });
  }

  async close(): Promise<void> {
    this.closed = true;
    for (const job of this.waiting.splice(0)) job.reject(new Error('the read store is closed'));
    await Promise.all(this.slots.splice(0).map((slot) => this.stop(slot, new Error('the read store is closed'))));
  }

  private dispatch(): void {
    while (this.waiting.length > 0) {
      const slot = this.slots.find((candidate) => candidate.ready && candidate.job === undefined);
      if (slot === undefined) {
        // A query's wall-clock limit starts when a worker takes it, so workers start before they are given one.
        const starting = this.slots.filter((candidate) => !candidate.ready).length;
        for (let n = starting; n < this.waiting.length && this.slots.length < this.options.size; n++) this.spawn();
        return;
      }
      const job = this.waiting.shift() as Job;
      slot.job = job;
      slot.timer = setTimeout(() => this.replace(slot, new QueryTooExpensiveError(this.options.budgetMs)), this.options.stopAfterMs ?? Math.max(MIN_WALL_CLOCK_MS, this.options.budgetMs * WALL_CLOCK_BUDGETS));
      slot.timer.unref();
      slot.worker.postMessage(job.query);
    }
  }

  private spawn(): void {
    const setup: WorkerSetup = { path: this.path, budgetMs: this.options.budgetMs, busyTimeoutMs: this.options.busyTimeoutMs };
    const slot: Slot = { worker: new Worker(WORKER_SOURCE, { eval: true, workerData: setup }), ready: false };
    // Idle workers must not keep the process alive.
    slot.worker.unref();
    slot.worker.on('message', (reply: WorkerReply) => {
      if ('ready' in reply) {
        slot.ready = true;
        return this.dispatch();
      }
      const job = this.finish(slot);
      if (job === undefined) return;
      if ('rows' in reply) job.resolve(reply.rows);
      else job.reject(reply.overBudget ? new QueryTooExpensiveError(this.options.budgetMs) : new Error(reply.error));
      this.dispatch();
    });
    slot.worker.on('error', (error: Error) => this.replace(slot, error));
    slot.worker.on('exit', () => this.replace(slot, new Error('a query worker stopped')));
    this.slots.push(slot);
  }

  /** The slot's job, now done; the slot is free again. */
  private finish(slot: Slot): Job | undefined {
    const job = slot.job;
    clearTimeout(slot.timer);
    slot.job = undefined;
    slot.timer = undefined;
    return job;
  }

  /**
   * Fails the slot's job with `error` and lets a fresh worker take the queue. The old thread is told to stop but
   * not waited for: a thread inside SQLite's native code only stops once it returns to JavaScript.
   */
  private replace(slot: Slot, error: Error): void {
    const index = this.slots.indexOf(slot);
    if (index < 0) return;
    this.slots.splice(index, 1);
    // A worker that could not even start fails the oldest query waiting for one, so callers learn why.
    if (!slot.ready) this.waiting.shift()?.reject(error);
    void this.stop(slot, error);
    if (!this.closed) this.dispatch();
  }

  private async stop(slot: Slot, error: Error): Promise<void> {
    this.finish(slot)?.reject(error);
    slot.worker.removeAllListeners();
    slot.worker.on('error', () => undefined);
    await slot.worker.terminate();
  }
}
