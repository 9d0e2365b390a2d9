import type { Decider } from '@mreg/shared/contracts';
import { DomainError, type TrainingRunEvent } from '@mreg/shared/contracts';
import type { Command } from '@mreg/shared/contracts';
import { unknownCommand, unknownEvent } from '@mreg/shared/contracts';

// Stream training-run-<modelId>-<sha256(runId)[0..40]>: the version a training run registered. It is appended
// with "no stream" expected after the version number was allocated, so of two deliveries racing for one run
// exactly one links its number; the other abandons its number (a gap, never a duplicate version).

export type LinkTrainingRun = Command<'LinkTrainingRun', { modelId: string; runId: string; version: number }>;
export type TrainingRunCommand = LinkTrainingRun;

export interface TrainingRunState {
  /** The version the run registered, once linked. */
  readonly linked?: { readonly runId: string; readonly version: number };
}

export const initialTrainingRunState: TrainingRunState = {};

export function decideTrainingRun(command: TrainingRunCommand, state: TrainingRunState): TrainingRunEvent[] {
  switch (command.type) {
    case 'LinkTrainingRun': {
      const { modelId, runId, version } = command.data;
      if (!Number.isSafeInteger(version) || version < 1) {
        throw new DomainError('INVALID_ARGUMENT', `version number must be a positive integer, got ${version}`, { version });
      }
      if (state.linked === undefined) return [{ type: 'TrainingRunLinked', data: { modelId, runId, version } }];
      if (state.linked.version === version) return [];
      throw new DomainError('ALREADY_EXISTS', `training run ${runId} already registered version ${state.linked.version}`, { modelId, runId, version: state.linked.version });
    }
    default:
      return unknownCommand(command.type);
  }
}

export function evolveTrainingRun(state: TrainingRunState, event: TrainingRunEvent): TrainingRunState {
  switch (event.type) {
    case 'TrainingRunLinked':
      // The first link is the one that counts (the stream is created with "no stream" expected).
      return state.linked ? state : { linked: { runId: event.data.runId, version: event.data.version } };
    default:
      return unknownEvent(event.type, state);
  }
}

export const trainingRunDecider = { decide: decideTrainingRun, evolve: evolveTrainingRun, initialState: initialTrainingRunState } satisfies Decider<TrainingRunState, TrainingRunCommand, TrainingRunEvent>;
