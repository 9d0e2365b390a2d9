/** A request to change one aggregate: a PascalCase imperative type and its payload (emmett's Command). */
export type Command<Type extends string, Data extends object = Record<string, never>> = Readonly<{
  type: Type;
  data: Readonly<Data>;
}>;

import { DomainError } from './domain-error';

// For a one-member union TypeScript narrows only the discriminant, not the object: pass `command.type` there.

/** `default:` of a switch over commands: a compile error when a command type is unhandled. */
export function unknownCommand(command: never): never {
  throw new DomainError('INVALID', `unknown command ${typeOf(command)}`);
}

/** `default:` of a switch over events: a compile error when an event type is unhandled; at run time an event
 * type this code does not know (written by a newer version) leaves the state as it is. */
export function unknownEvent<State>(_event: never, state: State): State {
  return state;
}

function typeOf(value: unknown): string {
  return typeof value === 'object' && value !== null && 'type' in value ? String(value.type) : String(value);
}
