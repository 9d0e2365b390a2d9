import type { BatchedChange, FindQuery, Page, ReadCollection, ReadStore } from '@mreg/platform/read-store';
import type { BoundFilter } from '@mreg/shared/query';

/** Changes queued before they are written without waiting for the caller's flush. */
const DEFAULT_MAX_QUEUED = 20_000;

/**
 * What a replay's projections write to: their applies are queued and written together by the target's
 * applyBatch (ADR 0029) when the replay flushes, once per page of the log, instead of one transaction or round
 * trip per change. Reads see every queued change: a get of a document with changes queued applies them to the
 * stored one in memory; a find or count of a collection with changes queued writes the queue first. The
 * projections run unchanged.
 *
 * An apply resolves once queued, to true: whether the revision guard lets it through is decided when the queue
 * is written (projections do not ask; a replay's target has no other writer).
 */
export class BatchingReadStore implements ReadStore {
  private queued: BatchedChange[] = [];
  /** The queued changes of each document, by collection and id. */
  private readonly queuedDocs = new Map<string, BatchedChange[]>();
  private readonly queuedCollections = new Set<string>();

  constructor(
    private readonly target: ReadStore,
    private readonly maxQueued = DEFAULT_MAX_QUEUED,
  ) {}

  collection<T extends object>(name: string): ReadCollection<T> {
    const target = this.target.collection<T>(name);
    const key = (id: string) => `${name}\u0000${id}`;
    return {
      get: async (id: string) => {
        const queued = this.queuedDocs.get(key(id));
        return queued === undefined ? target.get(id) : ((await this.withQueued(target, id, queued)) as T | undefined);
      },
      apply: async (id: string, streamId: string, revision: number, change: (current: T | undefined) => T) => {
        const queued: BatchedChange = { collection: name, id, streamId, revision, change: change as BatchedChange['change'] };
        this.queued.push(queued);
        const ofDoc = this.queuedDocs.get(key(id));
        if (ofDoc === undefined) this.queuedDocs.set(key(id), [queued]);
        else ofDoc.push(queued);
        this.queuedCollections.add(name);
        if (this.queued.length >= this.maxQueued) await this.flush();
        return true;
      },
      appliedRevision: async (id: string, streamId: string) => {
        if (this.queuedDocs.has(key(id))) await this.flush();
        return target.appliedRevision(id, streamId);
      },
      find: async (query: FindQuery): Promise<Page<T>> => {
        if (this.queuedCollections.has(name)) await this.flush();
        return target.find(query);
      },
      count: async (filter?: BoundFilter) => {
        if (this.queuedCollections.has(name)) await this.flush();
        return target.count(filter);
      },
    };
  }

  /**
   * A document as it will be once its queued changes are written: the stored one with them applied, under the
   * same revision guard, without writing anything (the changes are pure, so applying them twice is safe).
   */
  private async withQueued(target: ReadCollection<object>, id: string, queued: readonly BatchedChange[]): Promise<object | undefined> {
    let doc = await target.get(id);
    const applied = new Map<string, number>();
    for (const { streamId, revision, change } of queued) {
      const seen = applied.get(streamId) ?? (await target.appliedRevision(id, streamId));
      if (seen >= revision) {
        applied.set(streamId, seen);
        continue;
      }
      doc = change(doc);
      applied.set(streamId, revision);
    }
    return doc;
  }

  /** Writes the queued changes: in one batch when the target takes batches, else one by one. */
  async flush(): Promise<void> {
    if (this.queued.length === 0) return;
    const batch = this.queued;
    this.queued = [];
    this.queuedDocs.clear();
    this.queuedCollections.clear();
    if (this.target.applyBatch !== undefined) {
      await this.target.applyBatch(batch);
      return;
    }
    for (const { collection, id, streamId, revision, change } of batch) await this.target.collection(collection).apply(id, streamId, revision, change);
  }

  async clear(): Promise<void> {
    this.queued = [];
    this.queuedDocs.clear();
    this.queuedCollections.clear();
    await this.target.clear();
  }

  async close(): Promise<void> {
    await this.flush();
    await this.target.close();
  }
}
