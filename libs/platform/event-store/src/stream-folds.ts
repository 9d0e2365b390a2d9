import type { Decider, Event, RecordedEvent } from '@mreg/shared/contracts';
import type { EventStore } from './event-store.port';

/** A stream's state folded by one decider, up to and including `revision`. */
export interface FoldedStream<S> {
  readonly state: S;
  /** Revision of the last event folded (-1 for an empty stream). */
  readonly revision: number;
  /** Hash of that event ('' for an empty stream): the next append chains to it. */
  readonly lastHash: string;
}

type AnyDecider = Pick<Decider<unknown, never, Event>, 'initialState' | 'evolve'>;

/** Streams whose folds are kept; the least recently used go first. */
const DEFAULT_CAPACITY = 20_000;

/**
 * The current state of streams, folded incrementally: the first read folds the whole stream, later reads only
 * the events appended since (one indexed read that usually returns nothing), whoever appended them, this
 * process or another. Without it, every command and lookup on a model re-read and re-parsed the model's whole
 * stream, so a write cost grew with the number of versions (docs/operations/benchmarks.md). Deciders' evolve
 * functions are pure, so a cached state is never changed in place.
 */
export class StreamFolds {
  private readonly folds = new Map<string, { decider: AnyDecider; folded: FoldedStream<unknown> }>();

  constructor(
    private readonly store: EventStore,
    private readonly capacity = DEFAULT_CAPACITY,
  ) {}

  async current<S, E extends Event>(streamId: string, decider: Pick<Decider<S, never, E>, 'initialState' | 'evolve'>): Promise<FoldedStream<S>> {
    const cached = this.folds.get(streamId);
    const base: FoldedStream<S> = cached !== undefined && cached.decider === decider ? (cached.folded as FoldedStream<S>) : { state: decider.initialState, revision: -1, lastHash: '' };
    const newer = (await this.store.readStream(streamId, base.revision < 0 ? {} : { fromRevision: base.revision + 1 })) as RecordedEvent<E>[];
    const folded = this.advance(base, decider, newer);
    this.remember(streamId, decider, folded);
    return folded;
  }

  /** Records events this process has just appended, so the next read starts after them. */
  appended<S, E extends Event>(streamId: string, decider: Pick<Decider<S, never, E>, 'initialState' | 'evolve'>, before: FoldedStream<S>, events: readonly RecordedEvent<E>[]): FoldedStream<S> {
    const folded = this.advance(before, decider, events);
    this.remember(streamId, decider, folded);
    return folded;
  }

  private advance<S, E extends Event>(base: FoldedStream<S>, decider: Pick<Decider<S, never, E>, 'initialState' | 'evolve'>, events: readonly RecordedEvent<E>[]): FoldedStream<S> {
    const last = events.at(-1);
    if (last === undefined) return base;
    const state = events.reduce((s, e) => decider.evolve(s, { type: e.type, data: e.data } as E), base.state);
    return { state, revision: last.streamRevision, lastHash: last.metadata.hash };
  }

  private remember(streamId: string, decider: AnyDecider, folded: FoldedStream<unknown>): void {
    const cached = this.folds.get(streamId);
    // Another decider over the same stream (a different view of it) replaces the entry; keep the newest fold.
    if (cached !== undefined && cached.decider === decider && cached.folded.revision > folded.revision) return;
    this.folds.delete(streamId);
    this.folds.set(streamId, { decider, folded });
    if (this.folds.size > this.capacity) this.folds.delete(this.folds.keys().next().value as string);
  }
}
