import { isDeepStrictEqual } from 'node:util';
import type { RecordedEvent } from '@mreg/shared/contracts';
import { topicForStream } from '@mreg/shared/contracts';
import type { EventStore } from '@mreg/platform/event-store';
import type { ReadStore } from '@mreg/platform/read-store';
import { PROGRESS_COLLECTION } from '@mreg/platform/runtime';
import type { Projection } from '@mreg/platform/runtime';
import { AuditTrailProjection } from './audit-trail.projection';
import { BatchingReadStore } from './batching-read-store';
import { COLLECTIONS } from './catalog.documents';
import { ensureReadModelIndexes } from './catalog.indexes';
import { ModelDetailsProjection } from './model-details.projection';
import { READ_MODEL_PROJECTIONS } from './projection-catalog';
import { TransitionInboxProjection } from './transition-inbox.projection';
import { VersionDetailsProjection } from './version-details.projection';

/**
 * The projections of {@link READ_MODEL_PROJECTIONS}, in catalog order, writing to `store`. The audit service
 * runs exactly these behind the bus; the replay applies them straight from the log.
 */
export function readModelProjections(store: ReadStore): Projection[] {
  return [new ModelDetailsProjection(store), new VersionDetailsProjection(store), new TransitionInboxProjection(store), new AuditTrailProjection(store)];
}

/** The read-model collections the catalog projections write (what a replay rebuilds and a comparison reads). */
export const READ_MODEL_COLLECTIONS: readonly string[] = Object.values(COLLECTIONS);

/** The catalog's collections and those of `others`: what a comparison after a replay with `others` reads. */
export function readModelCollections(others: readonly OtherReadModels[] = []): readonly string[] {
  return [...READ_MODEL_COLLECTIONS, ...others.flatMap((o) => o.collections)];
}

/** Bookkeeping, not read models: where consumers are, which commands ran. Never compared. */
export const BOOKKEEPING_COLLECTIONS: readonly string[] = [PROGRESS_COLLECTION, 'checkpoints', 'processed_commands'];

/**
 * Read models of other contexts (e.g. the tracking index), which this lib must not know: the app names their
 * projections and collections, and the replay, lag and comparison treat them like the catalog's.
 */
export interface OtherReadModels {
  /** The projections, writing to the given store (called once per replay). */
  readonly projections: (store: ReadStore) => readonly Projection[];
  /** The collections they write (rebuilt and compared). */
  readonly collections: readonly string[];
}

export interface ReplayOptions {
  /** Also rebuild these (the catalog projections are always rebuilt). */
  readonly others?: readonly OtherReadModels[];
  /** Events read per page of the log, and applied to the target in one batch (default 1000). */
  readonly pageSize?: number;
  /**
   * Also record per-projection stream progress, as the projection runner does, so the rebuilt store can serve
   * read-your-writes waits (default true). Written once per page, with the page's changes.
   */
  readonly recordProgress?: boolean;
  /** Called after each page with the number of events replayed so far. */
  readonly onPage?: (replayed: number, lastPosition: bigint) => void;
}

export interface ReplaySummary {
  /** Events read from the log. */
  readonly events: number;
  /** Position of the last event read (undefined for an empty log). */
  readonly lastPosition?: bigint;
  /** Events handed to each projection, by projection name. */
  readonly applied: Readonly<Record<string, number>>;
}

/**
 * Rebuilds the read models in `target` from the whole log: every event in log position order, handed to every
 * catalog projection that consumes its topic — the same code the live projections run, without the bus.
 *
 * Log order is causal (a model is registered before its versions, a version exists before its artifacts and
 * aliases), so projections that need another stream's earlier event (ModelDetailsProjection waits for the
 * registration and throws until then, relying on the bus to redeliver) always find it here; such a throw in a
 * replay is a real error and is passed on. `target` should be empty (a fresh database or after `clear()`):
 * documents already there are updated only where the log is ahead of them.
 */
export async function replayReadModels(eventStore: EventStore, target: ReadStore, options: ReplayOptions = {}): Promise<ReplaySummary> {
  const pageSize = Math.max(1, options.pageSize ?? 1000);
  // The projections' changes are queued and written a page at a time (decision 0029).
  const batched = new BatchingReadStore(target);
  const projections = [...readModelProjections(batched), ...(options.others ?? []).flatMap((o) => o.projections(batched))];
  const names = projections.map((p) => p.name);
  const duplicate = names.find((name, i) => names.indexOf(name) !== i);
  // Progress is recorded by name: two projections of one name would hide each other's.
  if (duplicate !== undefined) throw new Error(`two read-model projections are named ${duplicate}`);
  // The projections query the read models too (a rename visits every version of its model).
  await ensureReadModelIndexes(target);
  const progress = batched.collection<{ revision: number }>(PROGRESS_COLLECTION);
  const applied: Record<string, number> = Object.fromEntries(projections.map((p) => [p.name, 0]));
  let after: bigint | undefined;
  let events = 0;
  for (;;) {
    const page: RecordedEvent[] = await eventStore.readAll({ maxCount: pageSize, ...(after !== undefined ? { after } : {}) });
    // Where each projection got to in each stream on this page: the last revision is all the progress needs.
    const reached = new Map<string, { streamId: string; revision: number }>();
    for (const event of page) {
      // The bus carries only events with a topic (what the relays publish); the replay sees the same ones.
      const topic = topicForStream(event.streamId);
      if (topic) {
        for (const projection of projections) {
          if (!projection.topics.includes(topic)) continue;
          await projection.handle(event);
          applied[projection.name] = (applied[projection.name] ?? 0) + 1;
          reached.set(`${projection.name}:${event.streamId}`, { streamId: event.streamId, revision: event.streamRevision });
        }
      }
      if (after !== undefined && event.position <= after) throw new Error(`the log went backwards at position ${event.position}`);
      after = event.position;
      events += 1;
    }
    if (options.recordProgress !== false) {
      for (const [id, { streamId, revision }] of reached) await progress.apply(id, streamId, revision, () => ({ revision }));
    }
    await batched.flush();
    if (after !== undefined) options.onPage?.(events, after);
    if (page.length < pageSize) break;
  }
  return { events, ...(after !== undefined ? { lastPosition: after } : {}), applied };
}

export interface ReadModelLag {
  /** (projection, stream) pairs whose recorded progress is behind the stream's last revision in the log. */
  readonly behind: number;
  /** A few of them, as `projection:stream progress/last`. */
  readonly examples: readonly string[];
}

/**
 * How far the projections writing to `readStore` are behind the log, from the per-stream progress they record
 * (what read-your-writes waits on). 0 means every event in the log has been applied by every projection that
 * consumes it: the read models are as complete as a replay would make them.
 */
export async function readModelLag(eventStore: EventStore, readStore: ReadStore, options: { pageSize?: number; /** Also these projections (their names and topics). */ others?: readonly OtherReadModels[] } = {}): Promise<ReadModelLag> {
  // Only names and topics are read: the projections are built on the store they would write, never run.
  const descriptors: readonly { readonly name: string; readonly topics: readonly string[] }[] = [...READ_MODEL_PROJECTIONS, ...(options.others ?? []).flatMap((o) => o.projections(readStore))];
  const pageSize = Math.max(1, options.pageSize ?? 1000);
  const last = new Map<string, number>();
  let after: bigint | undefined;
  for (;;) {
    const page = await eventStore.readAll({ maxCount: pageSize, ...(after !== undefined ? { after } : {}) });
    for (const event of page) {
      last.set(event.streamId, event.streamRevision);
      after = event.position;
    }
    if (page.length < pageSize) break;
  }
  const progress = readStore.collection<{ revision: number }>(PROGRESS_COLLECTION);
  const examples: string[] = [];
  let behind = 0;
  for (const [streamId, revision] of last) {
    const topic = topicForStream(streamId);
    if (!topic) continue;
    for (const projection of descriptors) {
      if (!projection.topics.includes(topic)) continue;
      const applied = (await progress.get(`${projection.name}:${streamId}`))?.revision ?? -1;
      if (applied >= revision) continue;
      behind += 1;
      if (examples.length < 5) examples.push(`${projection.name}:${streamId} ${applied}/${revision}`);
    }
  }
  return { behind, examples };
}

export type ReadModelDifferenceKind = 'missing' | 'extra' | 'different';

/** One document that is not the same on both sides: `missing` from `b`, `extra` in `b`, or `different`. */
export interface ReadModelDifference {
  readonly collection: string;
  readonly id: string;
  readonly kind: ReadModelDifferenceKind;
  readonly a?: unknown;
  readonly b?: unknown;
}

export interface ReadModelComparison {
  /** True when every compared collection holds the same documents on both sides. */
  readonly equal: boolean;
  /** Documents per compared collection on each side. */
  readonly counts: Readonly<Record<string, { readonly a: number; readonly b: number }>>;
  /** Every difference found (at most `limit` of them, see {@link CompareOptions}). */
  readonly differences: readonly ReadModelDifference[];
  /** Differences found in total (may exceed `differences.length`). */
  readonly differenceCount: number;
}

export interface CompareOptions {
  /** Differences kept in the result (default 100); all of them are counted. */
  readonly limit?: number;
}

interface Identified {
  readonly id: string;
}

const ID_FIELD = { name: 'id', path: ['id'], type: 'string' as const };

/** Every document of a collection, in id order (every read-model document carries its own `id`). */
export async function readCollection(store: ReadStore, name: string): Promise<Map<string, unknown>> {
  const collection = store.collection<Identified>(name);
  const docs = new Map<string, unknown>();
  let after: { value: string | number | null; id: string } | undefined;
  for (;;) {
    const page = await collection.find({ sort: { field: ID_FIELD, direction: 'asc' }, limit: 500, ...(after ? { after } : {}) });
    for (const doc of page.items) docs.set(doc.id, normalise(doc));
    if (!page.next) return docs;
    after = page.next;
  }
}

/** JSON as both adapters store it: undefined members dropped, so documents compare by value alone. */
function normalise(value: unknown): unknown {
  return JSON.parse(JSON.stringify(value)) as unknown;
}

/**
 * Compares the read models of two stores document by document. Bookkeeping collections (projection progress,
 * relay checkpoints, processed commands) are never compared: they describe consumers, not the registry.
 */
export async function compareReadModels(a: ReadStore, b: ReadStore, collections: readonly string[] = READ_MODEL_COLLECTIONS, options: CompareOptions = {}): Promise<ReadModelComparison> {
  const limit = options.limit ?? 100;
  const differences: ReadModelDifference[] = [];
  const counts: Record<string, { a: number; b: number }> = {};
  let differenceCount = 0;
  const note = (difference: ReadModelDifference) => {
    differenceCount += 1;
    if (differences.length < limit) differences.push(difference);
  };
  for (const collection of collections.filter((c) => !BOOKKEEPING_COLLECTIONS.includes(c))) {
    const left = await readCollection(a, collection);
    const right = await readCollection(b, collection);
    counts[collection] = { a: left.size, b: right.size };
    for (const [id, doc] of left) {
      if (!right.has(id)) note({ collection, id, kind: 'missing', a: doc });
      else if (!isDeepStrictEqual(doc, right.get(id))) note({ collection, id, kind: 'different', a: doc, b: right.get(id) });
    }
    for (const [id, doc] of right) if (!left.has(id)) note({ collection, id, kind: 'extra', b: doc });
  }
  return { equal: differenceCount === 0, counts, differences, differenceCount };
}

/** A short, printable account of a comparison (for test failures and the replay command). */
export function describeComparison(comparison: ReadModelComparison, maxLines = 20): string {
  if (comparison.equal) return 'read models equal';
  const lines = comparison.differences.slice(0, maxLines).map((d) => `${d.kind} ${d.collection}/${d.id}: ${JSON.stringify({ a: d.a, b: d.b })}`);
  return `${comparison.differenceCount} difference(s); counts ${JSON.stringify(comparison.counts)}\n${lines.join('\n')}`;
}
