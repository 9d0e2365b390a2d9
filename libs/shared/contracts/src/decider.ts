/** A request to change one aggregate: a PascalCase imperative type and its payload (emmett's Command). */
export type Command<Type extends string, Data extends object = Record<string, never>> = Readonly<{
  type: Type;
  data: Readonly<Data>;
}>;

import { DomainError } from './domain-error';
import type { Event, RecordedEvent } from './events/event';

/**
 * A pure aggregate (emmett's Decider): where its state starts, what a command decides from a state, and how an
 * event changes it. Every `*.decider.ts` exports one, declared `satisfies Decider<…>`.
 */
export interface Decider<State, C, E extends Event> {
  readonly initialState: State;
  decide(command: C, state: State): readonly E[];
  evolve(state: State, event: E): State;
}

/** The prefix of a stream's recorded events that had occurred at `until` (all of them without `until`). */
export function recordedUntil<R extends RecordedEvent>(events: readonly R[], until?: Date): readonly R[] {
  if (until === undefined) return events;
  const end = events.findIndex((e) => Date.parse(e.metadata.occurredAt) > until.getTime());
  return end < 0 ? events : events.slice(0, end);
}

/**
 * The state after `events` — decided events, or recorded ones read from the log. With `until` (recorded events
 * only), the state as it was at that instant: events that occurred later are left out.
 */
export function fold<State, E extends Event>(decider: Pick<Decider<State, never, E>, 'initialState' | 'evolve'>, events: readonly E[]): State;
export function fold<State, E extends Event>(decider: Pick<Decider<State, never, E>, 'initialState' | 'evolve'>, events: readonly RecordedEvent<E>[], until?: Date): State;
export function fold<State, E extends Event>(decider: Pick<Decider<State, never, E>, 'initialState' | 'evolve'>, events: readonly (E | RecordedEvent<E>)[], until?: Date): State {
  const applied = until === undefined ? events : recordedUntil(events as readonly RecordedEvent<E>[], until);
  // A recorded event's type and data are typed apart; together they are one of E's members.
  return applied.reduce((state, e) => decider.evolve(state, { type: e.type, data: e.data } as E), decider.initialState);
}

// For a one-member union TypeScript narrows only the discriminant, not the object: pass `command.type` there.

/** `default:` of a switch over commands: a compile error when a command type is unhandled. */
export function unknownCommand(command: never): never {
  throw new DomainError('INVALID_ARGUMENT', `unknown command ${typeOf(command)}`);
}

/** `default:` of a switch over events: a compile error when an event type is unhandled; at run time an event
 * type this code does not know (written by a newer version) leaves the state as it is. */
export function unknownEvent<State>(_event: never, state: State): State {
  return state;
}

function typeOf(value: unknown): string {
  return typeof value === 'object' && value !== null && 'type' in value ? String(value.type) : String(value);
}
