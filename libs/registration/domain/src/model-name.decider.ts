import type { Decider } from '@mreg/shared/contracts';
import { DomainError, type ModelNameEvent } from '@mreg/shared/contracts';
import type { Command } from '@mreg/shared/contracts';
import { unknownCommand, unknownEvent } from '@mreg/shared/contracts';

// Stream model-name-<key>: at most one model holds a (normalized) name. The name stream is written before the
// model stream, so a crash in between leaves a reservation whose holder never came to exist: an orphan.

export type ReserveModelName = Command<
  'ReserveModelName',
  {
    name: string;
    modelId: string;
    /** The caller found the current holder's model missing or deleted: the reservation may be taken over. */
    holderIsOrphan?: boolean;
  }
>;
export type ReleaseModelName = Command<'ReleaseModelName', { name: string; modelId: string }>;
export type ModelNameCommand = ReserveModelName | ReleaseModelName;

export interface ModelNameState {
  /** The model that holds the name, if any. */
  readonly holder?: string;
}

export const initialModelNameState: ModelNameState = {};

/** Whether `holder`'s reservation can be taken over: the name is free or its holder's model does not exist. */
export function canTakeOver(state: ModelNameState, holderExists: boolean): boolean {
  return state.holder === undefined || !holderExists;
}

export function decideModelName(command: ModelNameCommand, state: ModelNameState): ModelNameEvent[] {
  switch (command.type) {
    case 'ReserveModelName': {
      const { name, modelId, holderIsOrphan } = command.data;
      if (state.holder === undefined) return [{ type: 'ModelNameReserved', data: { name, modelId } }];
      if (state.holder === modelId) return [];
      if (holderIsOrphan === true) {
        return [
          { type: 'ModelNameReleased', data: { name, modelId: state.holder } },
          { type: 'ModelNameReserved', data: { name, modelId } },
        ];
      }
      throw new DomainError('ALREADY_EXISTS', `a model named ${name} already exists`, { name, modelId: state.holder });
    }
    case 'ReleaseModelName': {
      const { name, modelId } = command.data;
      // Only the holder releases; anything else is a late retry or a stale caller, and changes nothing.
      return state.holder === modelId ? [{ type: 'ModelNameReleased', data: { name, modelId } }] : [];
    }
    default:
      return unknownCommand(command);
  }
}

export function evolveModelName(state: ModelNameState, event: ModelNameEvent): ModelNameState {
  switch (event.type) {
    case 'ModelNameReserved':
      return { holder: event.data.modelId };
    case 'ModelNameReleased':
      return state.holder === event.data.modelId ? {} : state;
    default:
      return unknownEvent(event, state);
  }
}

export const modelNameDecider = { decide: decideModelName, evolve: evolveModelName, initialState: initialModelNameState } satisfies Decider<ModelNameState, ModelNameCommand, ModelNameEvent>;
