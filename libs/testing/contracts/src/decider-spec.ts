import { DomainError, fold, type Decider, type DomainErrorCode, type Event as DomainEvent } from '@mreg/shared/contracts';

export interface DeciderThen<Event, State> {
  /** The command yields exactly these events, in order. */
  then(expected: readonly Event[]): void;
  /** The command is accepted and changes nothing (idempotent). */
  thenNothingHappens(): void;
  /** The command is refused with a DomainError of this code (and a message matching, if given). */
  thenThrows(code: DomainErrorCode, message?: string | RegExp): void;
  /** The state after given + the command's events satisfies the assertion. */
  thenState(assert: (state: State) => void): void;
}

/**
 * given(past events).when(command).then(new events) — emmett's DeciderSpecification, with jest's expect.
 * Usage: `const spec = deciderSpec(modelNameDecider); spec.given([...]).when(cmd).then([...])`.
 */
export function deciderSpec<State, Command, Event extends DomainEvent>(decider: Decider<State, Command, Event>) {
  return {
    given(events: readonly Event[]) {
      return {
        when(command: Command): DeciderThen<Event, State> {
          const run = () => decider.decide(command, fold(decider, events));
          return {
            then(expected) {
              expect(run()).toEqual(expected);
            },
            thenNothingHappens() {
              expect(run()).toEqual([]);
            },
            thenThrows(code, message) {
              let thrown: unknown;
              let produced: readonly Event[] | undefined;
              try {
                produced = run();
              } catch (error: unknown) {
                thrown = error;
              }
              if (thrown === undefined) throw new Error(`expected ${code}, but the command produced ${JSON.stringify(produced)}`);
              expect(thrown).toBeInstanceOf(DomainError);
              expect((thrown as DomainError).code).toBe(code);
              if (message !== undefined) expect((thrown as DomainError).message).toMatch(message);
            },
            thenState(assert) {
              assert(fold(decider, [...events, ...run()]));
            },
          };
        },
      };
    },
  };
}
