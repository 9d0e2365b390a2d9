import type { Decider } from '@mreg/shared/contracts';
import { DomainError, type Stage, type VersionTransitionsEvent } from '@mreg/shared/contracts';
import type { Command } from '@mreg/shared/contracts';
import { unknownCommand, unknownEvent } from '@mreg/shared/contracts';

// Stream version-transitions-<modelId>-<n>: at most one open transition request per version, and the ordered
// list of every request ever opened for it (provenance of its stage history).

export type OpenVersionTransition = Command<'OpenVersionTransition', { modelId: string; version: number; transitionId: string; toStage: Stage }>;
export type CloseVersionTransition = Command<'CloseVersionTransition', { modelId: string; version: number; transitionId: string }>;
export type VersionTransitionsCommand = OpenVersionTransition | CloseVersionTransition;

export interface OpenTransition {
  readonly transitionId: string;
  readonly toStage: Stage;
}

export interface VersionTransitionsState {
  readonly open?: OpenTransition;
  /** Every transition opened for this version, oldest first. */
  readonly transitionIds: readonly string[];
}

export const initialVersionTransitionsState: VersionTransitionsState = { transitionIds: [] };

export function decideVersionTransitions(command: VersionTransitionsCommand, state: VersionTransitionsState): VersionTransitionsEvent[] {
  switch (command.type) {
    case 'OpenVersionTransition': {
      const { modelId, version, transitionId, toStage } = command.data;
      // A retry of an open that already happened (whether or not it has been closed since) changes nothing.
      if (state.transitionIds.includes(transitionId)) return [];
      if (state.open !== undefined) {
        throw new DomainError('CONFLICT', `version ${version} already has an open transition request ${state.open.transitionId}`, {
          modelId,
          version,
          openTransitionId: state.open.transitionId,
          openToStage: state.open.toStage,
        });
      }
      return [{ type: 'VersionTransitionOpened', data: { modelId, version, transitionId, toStage } }];
    }
    case 'CloseVersionTransition': {
      const { modelId, version, transitionId } = command.data;
      return state.open?.transitionId === transitionId ? [{ type: 'VersionTransitionClosed', data: { modelId, version, transitionId } }] : [];
    }
    default:
      return unknownCommand(command);
  }
}

export function evolveVersionTransitions(state: VersionTransitionsState, event: VersionTransitionsEvent): VersionTransitionsState {
  switch (event.type) {
    case 'VersionTransitionOpened': {
      const { transitionId, toStage } = event.data;
      return { open: { transitionId, toStage }, transitionIds: [...state.transitionIds, transitionId] };
    }
    case 'VersionTransitionClosed':
      return state.open?.transitionId === event.data.transitionId ? { transitionIds: state.transitionIds } : state;
    default:
      return unknownEvent(event, state);
  }
}

export const versionTransitionsDecider = { decide: decideVersionTransitions, evolve: evolveVersionTransitions, initialState: initialVersionTransitionsState } satisfies Decider<
  VersionTransitionsState,
  VersionTransitionsCommand,
  VersionTransitionsEvent
>;
