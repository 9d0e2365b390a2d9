import type { Decider } from '@mreg/shared/contracts';
import { DomainError, unknownCommand, unknownEvent } from '@mreg/shared/contracts';
import type { Command, ExperimentNameEvent } from '@mreg/shared/contracts';

// Stream experiment-name-<key>: at most one experiment holds a name. A deleted experiment keeps its name (MLflow:
// restore it or pick another name); a reservation whose experiment never came to exist (a crash between the
// two appends) may be taken over.

export type ReserveExperimentName = Command<'ReserveExperimentName', { name: string; experimentId: string; holderIsOrphan?: boolean }>;
export type ReleaseExperimentName = Command<'ReleaseExperimentName', { name: string; experimentId: string }>;
export type ExperimentNameCommand = ReserveExperimentName | ReleaseExperimentName;

export interface ExperimentNameState {
  readonly holder?: string;
}

export const initialExperimentNameState: ExperimentNameState = {};

export function decideExperimentName(command: ExperimentNameCommand, state: ExperimentNameState): ExperimentNameEvent[] {
  switch (command.type) {
    case 'ReserveExperimentName': {
      const { name, experimentId, holderIsOrphan } = command.data;
      if (state.holder === undefined) return [{ type: 'ExperimentNameReserved', data: { name, experimentId } }];
      if (state.holder === experimentId) return [];
      if (holderIsOrphan === true) {
        return [
          { type: 'ExperimentNameReleased', data: { name, experimentId: state.holder } },
          { type: 'ExperimentNameReserved', data: { name, experimentId } },
        ];
      }
      throw new DomainError('ALREADY_EXISTS', `Experiment '${name}' already exists.`, { name, experimentId: state.holder });
    }
    case 'ReleaseExperimentName': {
      const { name, experimentId } = command.data;
      return state.holder === experimentId ? [{ type: 'ExperimentNameReleased', data: { name, experimentId } }] : [];
    }
    default:
      return unknownCommand(command);
  }
}

export function evolveExperimentName(state: ExperimentNameState, event: ExperimentNameEvent): ExperimentNameState {
  switch (event.type) {
    case 'ExperimentNameReserved':
      return { holder: event.data.experimentId };
    case 'ExperimentNameReleased':
      return state.holder === event.data.experimentId ? {} : state;
    default:
      return unknownEvent(event, state);
  }
}

export const experimentNameDecider = { decide: decideExperimentName, evolve: evolveExperimentName, initialState: initialExperimentNameState } satisfies Decider<ExperimentNameState, ExperimentNameCommand, ExperimentNameEvent>;
