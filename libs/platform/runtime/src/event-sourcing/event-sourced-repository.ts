import { randomUUID } from 'node:crypto';
import { Inject, Injectable, Optional } from '@nestjs/common';
import { currentSchemaVersion } from '@mreg/shared/contracts';
import type { Decider, Event, EventMetadata, RecordedEvent } from '@mreg/shared/contracts';
import { EVENT_STORE, StreamFolds, WrongExpectedRevisionError, computeEventHash } from '@mreg/platform/event-store';
import type { EventStore, ExpectedRevision, FoldedStream, NewEvent } from '@mreg/platform/event-store';
import type { CommandContext } from './command-context';
import { SpanKind, context as otelContext } from '@opentelemetry/api';
import { streamCategory } from '@mreg/shared/contracts';
import { activeTraceparent, inSpan } from '../telemetry/trace-context';
import { telemetryMetrics } from '../telemetry/metrics';
import { recordWrite } from '../projection/consistency';

export interface HandleOptions {
  /** The client's expected stream revision (If-Match); when given, a conflict is never retried. */
  readonly expectedRevision?: number;
  /** How often to re-read and re-decide after losing a race; the decision may change (e.g. a 409 from the domain). */
  readonly retries?: number;
}

export interface HandleResult<E extends Event, S> {
  readonly streamId: string;
  readonly events: readonly RecordedEvent<E>[];
  readonly state: S;
  /** Revision of the stream's last event after the command (-1 when the stream is still empty). */
  readonly revision: number;
}

/**
 * Commands on one stream from this process, one after another: concurrent writers of one model queue here
 * instead of racing to append at the same revision and re-reading the stream after every lost race. Other
 * processes can still interfere; the optimistic retry handles those.
 */
class StreamQueues {
  private readonly tails = new Map<string, Promise<unknown>>();

  run<T>(streamId: string, work: () => Promise<T>): Promise<T> {
    const previous = this.tails.get(streamId) ?? Promise.resolve();
    const current = previous.then(work, work);
    const tail = current.catch(() => undefined);
    this.tails.set(streamId, tail);
    // The last in line removes the stream's entry, so idle streams cost nothing.
    void tail.then(() => {
      if (this.tails.get(streamId) === tail) this.tails.delete(streamId);
    });
    return current;
  }
}

/** A command's `type` for metrics (a command made from the state is only known by its stream). */
function commandType(command: unknown): string {
  const type = typeof command === 'object' && command !== null ? (command as { type?: unknown }).type : undefined;
  return typeof type === 'string' ? type : 'derived';
}

/** Loads aggregates from the log and appends their decisions with the expected revision (STYLE rule 7). */
@Injectable()
export class EventSourcedRepository {
  private readonly folds: StreamFolds;
  private readonly queues = new StreamQueues();

  constructor(
    @Inject(EVENT_STORE) private readonly store: EventStore,
    @Optional() folds?: StreamFolds,
  ) {
    this.folds = folds ?? new StreamFolds(store);
  }

  /** The stream's current state: folded incrementally, so its cost does not grow with the stream. */
  load<C, E extends Event, S>(streamId: string, decider: Decider<S, C, E>): Promise<FoldedStream<S>> {
    return this.folds.current(streamId, decider);
  }

  /** Every event of the stream, for the rare decision that looks at the events themselves. */
  async events<E extends Event>(streamId: string): Promise<readonly RecordedEvent<E>[]> {
    return (await this.store.readStream(streamId)) as RecordedEvent<E>[];
  }

  async handle<C, E extends Event, S>(streamId: string, decider: Decider<S, C, E>, command: C | ((state: S) => C), ctx: CommandContext, options: HandleOptions = {}): Promise<HandleResult<E, S>> {
    const started = performance.now();
    try {
      return await this.queues.run(streamId, () => this.decideAndAppend(streamId, decider, command, ctx, options));
    } finally {
      telemetryMetrics().commandDuration.record((performance.now() - started) / 1000, { 'mreg.command.type': commandType(command) });
    }
  }

  private async decideAndAppend<C, E extends Event, S>(streamId: string, decider: Decider<S, C, E>, command: C | ((state: S) => C), ctx: CommandContext, options: HandleOptions): Promise<HandleResult<E, S>> {
    const retries = options.expectedRevision === undefined ? (options.retries ?? 5) : 0;
    for (let attempt = 0; ; attempt++) {
      const loaded = await this.load(streamId, decider);
      if (options.expectedRevision !== undefined && options.expectedRevision !== loaded.revision) {
        throw new WrongExpectedRevisionError(streamId, options.expectedRevision, loaded.revision < 0 ? 'no_stream' : loaded.revision);
      }
      const cmd = typeof command === 'function' ? (command as (s: S) => C)(loaded.state) : command;
      const decided = decider.decide(cmd, loaded.state);
      if (decided.length === 0) return { streamId, events: [], state: loaded.state, revision: loaded.revision };
      try {
        return await this.appendDecided(streamId, decider, loaded, decided, ctx);
      } catch (error) {
        if (error instanceof WrongExpectedRevisionError && attempt < retries) continue;
        throw error;
      }
    }
  }

  private async appendDecided<C, E extends Event, S>(streamId: string, decider: Decider<S, C, E>, loaded: FoldedStream<S>, decided: readonly E[], ctx: CommandContext): Promise<HandleResult<E, S>> {
    const occurredAt = new Date().toISOString();
    const traceparent = ctx.traceparent ?? activeTraceparent();
    let prevHash = loaded.lastHash;
    let revision = loaded.revision;
    const toAppend: NewEvent[] = decided.map((e) => {
      revision += 1;
      const base: Omit<EventMetadata, 'hash'> = {
        eventId: randomUUID(),
        schemaVersion: currentSchemaVersion(e.type),
        occurredAt,
        actor: ctx.principal.user,
        correlationId: ctx.correlationId,
        ...(ctx.causationId ? { causationId: ctx.causationId } : {}),
        ...(traceparent ? { traceparent } : {}),
        prevHash,
      };
      const hash = computeEventHash({ streamId, revision, type: e.type, data: e.data, metadata: base });
      prevHash = hash;
      return { type: e.type, data: e.data, metadata: { ...base, hash } };
    });
    const expected: ExpectedRevision = loaded.revision < 0 ? 'no_stream' : loaded.revision;
    const category = streamCategory(streamId) ?? 'other';
    const started = performance.now();
    const result = await inSpan(`append ${category}`, SpanKind.INTERNAL, { 'mreg.stream.category': category, 'mreg.event.count': toAppend.length }, otelContext.active(), () => this.store.append(streamId, toAppend, expected));
    telemetryMetrics().appendDuration.record((performance.now() - started) / 1000, { 'mreg.stream.category': category });
    recordWrite({ streamId, revision: result.nextExpectedRevision });
    const first = result.nextExpectedRevision - toAppend.length + 1;
    // Log positions need not be contiguous (KurrentDB): every event of one append reports the append's position.
    const events = toAppend.map((e, i) => ({
      streamId,
      streamRevision: first + i,
      position: result.position,
      type: e.type,
      data: e.data,
      metadata: e.metadata,
    }));
    const { state } = this.folds.appended(streamId, decider, loaded, events);
    return { streamId, events, state, revision: result.nextExpectedRevision };
  }
}
