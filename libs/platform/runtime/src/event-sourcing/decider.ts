import type { Event } from '@mreg/shared/contracts';

/** A pure aggregate: the shape every domain decider is adapted to. */
export interface Decider<Command, E extends Event, State> {
  readonly initialState: State;
  decide(command: Command, state: State): readonly E[];
  evolve(state: State, event: E): State;
}
