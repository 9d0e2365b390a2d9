import type { Decider } from '@mreg/shared/contracts';
import { DomainError, unknownCommand, unknownEvent } from '@mreg/shared/contracts';
import type { Command, ExperimentEvent, Tags } from '@mreg/shared/contracts';
import { MAX_EXPERIMENT_NAME_LENGTH, MAX_EXPERIMENT_TAG_VALUE_LENGTH, checkEpochMillis, checkTag, checkTags } from './tracking-rules';

// Stream experiment-<id>: an MLflow experiment. Its name is unique through experiment-name-<key>, reserved
// before this stream is written. Experiment "0" ("Default") exists for clients that never create one.

export const DEFAULT_EXPERIMENT_ID = '0';
export const DEFAULT_EXPERIMENT_NAME = 'Default';

export type Lifecycle = 'active' | 'deleted';

export type CreateExperiment = Command<'CreateExperiment', { experimentId: string; name: string; artifactLocation: string; tags: Tags; at: number }>;
export type RenameExperiment = Command<'RenameExperiment', { newName: string; at: number }>;
export type SetExperimentTag = Command<'SetExperimentTag', { key: string; value: string; at: number }>;
export type DeleteExperimentTag = Command<'DeleteExperimentTag', { key: string; at: number }>;
export type DeleteExperiment = Command<'DeleteExperiment', { at: number }>;
export type RestoreExperiment = Command<'RestoreExperiment', { at: number }>;
export type ExperimentCommand = CreateExperiment | RenameExperiment | SetExperimentTag | DeleteExperimentTag | DeleteExperiment | RestoreExperiment;

export interface ExperimentState {
  readonly exists: boolean;
  readonly experimentId: string;
  readonly name: string;
  readonly artifactLocation: string;
  readonly lifecycle: Lifecycle;
  readonly tags: Tags;
  readonly creationTime: number;
  readonly lastUpdateTime: number;
}

export const initialExperimentState: ExperimentState = {
  exists: false,
  experimentId: '',
  name: '',
  artifactLocation: '',
  lifecycle: 'active',
  tags: {},
  creationTime: 0,
  lastUpdateTime: 0,
};

export function checkExperimentName(name: string): void {
  if (name.trim() === '') throw new DomainError('INVALID_ARGUMENT', `Invalid experiment name: '${name}'`);
  if (name.length > MAX_EXPERIMENT_NAME_LENGTH) throw new DomainError('INVALID_ARGUMENT', `'name' exceeds the maximum length of ${MAX_EXPERIMENT_NAME_LENGTH} characters`);
}

function requireActive(state: ExperimentState): void {
  if (!state.exists) throw new DomainError('NOT_FOUND', 'No Experiment with this id exists.');
  if (state.lifecycle !== 'active') {
    throw new DomainError('INVALID_ARGUMENT', `The experiment ${state.experimentId} must be in the 'active' state. Current state is ${state.lifecycle}.`);
  }
}

export function decideExperiment(command: ExperimentCommand, state: ExperimentState): ExperimentEvent[] {
  switch (command.type) {
    case 'CreateExperiment': {
      const { experimentId, name, artifactLocation, tags, at } = command.data;
      // The same creation again (the default experiment, a retry) changes nothing.
      if (state.exists && state.experimentId === experimentId && state.name === name) return [];
      if (state.exists) throw new DomainError('ALREADY_EXISTS', `Experiment with id ${experimentId} already exists.`);
      checkExperimentName(name);
      checkEpochMillis('creation_time', at);
      checkTags(tags, MAX_EXPERIMENT_TAG_VALUE_LENGTH);
      return [{ type: 'ExperimentCreated', data: { experimentId, name, artifactLocation, tags, at } }];
    }
    case 'RenameExperiment': {
      requireActive(state);
      const { newName, at } = command.data;
      checkExperimentName(newName);
      if (newName === state.name) return [];
      return [{ type: 'ExperimentRenamed', data: { experimentId: state.experimentId, from: state.name, to: newName, at } }];
    }
    case 'SetExperimentTag': {
      requireActive(state);
      const { key, value, at } = command.data;
      checkTag(key, value, MAX_EXPERIMENT_TAG_VALUE_LENGTH);
      if (state.tags[key] === value) return [];
      return [{ type: 'ExperimentTagSet', data: { experimentId: state.experimentId, key, value, at } }];
    }
    case 'DeleteExperimentTag': {
      requireActive(state);
      const { key, at } = command.data;
      if (!Object.hasOwn(state.tags, key)) throw new DomainError('NOT_FOUND', `No tag with name: ${key} in experiment with id ${state.experimentId}`, { key });
      return [{ type: 'ExperimentTagDeleted', data: { experimentId: state.experimentId, key, at } }];
    }
    case 'DeleteExperiment': {
      if (!state.exists) throw new DomainError('NOT_FOUND', 'No Experiment with this id exists.');
      if (state.experimentId === DEFAULT_EXPERIMENT_ID) throw new DomainError('INVALID_ARGUMENT', "Cannot delete the default experiment '0'. This is an internally reserved ID.");
      if (state.lifecycle === 'deleted') return [];
      return [{ type: 'ExperimentDeleted', data: { experimentId: state.experimentId, at: command.data.at } }];
    }
    case 'RestoreExperiment': {
      if (!state.exists) throw new DomainError('NOT_FOUND', 'No Experiment with this id exists.');
      if (state.lifecycle === 'active') throw new DomainError('INVALID_ARGUMENT', `Cannot restore an active experiment. Experiment ${state.experimentId} is active.`);
      return [{ type: 'ExperimentRestored', data: { experimentId: state.experimentId, at: command.data.at } }];
    }
    default:
      return unknownCommand(command);
  }
}

export function evolveExperiment(state: ExperimentState, event: ExperimentEvent): ExperimentState {
  switch (event.type) {
    case 'ExperimentCreated': {
      const { experimentId, name, artifactLocation, tags, at } = event.data;
      return { exists: true, experimentId, name, artifactLocation, lifecycle: 'active', tags, creationTime: at, lastUpdateTime: at };
    }
    case 'ExperimentRenamed':
      return { ...state, name: event.data.to, lastUpdateTime: event.data.at };
    // Tags leave last_update_time alone, as on MLflow's server (it tracks renames and the lifecycle).
    case 'ExperimentTagSet':
      return { ...state, tags: { ...state.tags, [event.data.key]: event.data.value } };
    case 'ExperimentTagDeleted': {
      const { [event.data.key]: _removed, ...tags } = state.tags;
      return { ...state, tags };
    }
    case 'ExperimentDeleted':
      return { ...state, lifecycle: 'deleted', lastUpdateTime: event.data.at };
    case 'ExperimentRestored':
      return { ...state, lifecycle: 'active', lastUpdateTime: event.data.at };
    default:
      return unknownEvent(event, state);
  }
}

export const experimentDecider = { decide: decideExperiment, evolve: evolveExperiment, initialState: initialExperimentState } satisfies Decider<ExperimentState, ExperimentCommand, ExperimentEvent>;
