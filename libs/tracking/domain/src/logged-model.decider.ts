import type { Decider } from '@mreg/shared/contracts';
import { DomainError, unknownCommand, unknownEvent } from '@mreg/shared/contracts';
import type { Command, LoggedModelEvent, LoggedModelStatus, Tags } from '@mreg/shared/contracts';
import type { Lifecycle } from './experiment.decider';
import type { KeyValue } from './run.decider';
import { MAX_EXPERIMENT_NAME_LENGTH, MAX_PARAMS_TAGS_PER_BATCH, checkEpochMillis, checkParam, checkTag } from './tracking-rules';

// Stream logged-model-<id>: an MLflow 3 logged model (id `m-<hex>`): created pending, its files uploaded under
// its artifact location, then finalized READY or UPLOAD_FAILED. Params are set once per key like a run's.

export type CreateLoggedModel = Command<
  'CreateLoggedModel',
  {
    loggedModelId: string;
    experimentId: string;
    /** The experiment's lifecycle as the caller found it; null when it does not exist. */
    experimentLifecycle: Lifecycle | null;
    name: string;
    sourceRunId?: string;
    modelType: string;
    params: readonly KeyValue[];
    tags: readonly KeyValue[];
    artifactLocation: string;
    at: number;
  }
>;
export type LogLoggedModelParams = Command<'LogLoggedModelParams', { params: readonly KeyValue[]; at: number }>;
export type FinalizeLoggedModel = Command<'FinalizeLoggedModel', { status: Exclude<LoggedModelStatus, 'LOGGED_MODEL_PENDING'>; at: number }>;
export type SetLoggedModelTags = Command<'SetLoggedModelTags', { tags: readonly KeyValue[]; at: number }>;
export type DeleteLoggedModelTag = Command<'DeleteLoggedModelTag', { key: string; at: number }>;
export type DeleteLoggedModel = Command<'DeleteLoggedModel', { at: number }>;
export type LoggedModelCommand = CreateLoggedModel | LogLoggedModelParams | FinalizeLoggedModel | SetLoggedModelTags | DeleteLoggedModelTag | DeleteLoggedModel;

export interface LoggedModelState {
  readonly exists: boolean;
  readonly deleted: boolean;
  readonly loggedModelId: string;
  readonly experimentId: string;
  readonly name: string;
  readonly sourceRunId?: string;
  readonly modelType: string;
  readonly status: LoggedModelStatus;
  readonly params: Tags;
  readonly tags: Tags;
  readonly artifactLocation: string;
  readonly creationTime: number;
  readonly lastUpdatedTime: number;
}

export const initialLoggedModelState: LoggedModelState = {
  exists: false,
  deleted: false,
  loggedModelId: '',
  experimentId: '',
  name: '',
  modelType: '',
  status: 'LOGGED_MODEL_PENDING',
  params: {},
  tags: {},
  artifactLocation: '',
  creationTime: 0,
  lastUpdatedTime: 0,
};

const BAD_NAME_CHARACTERS = ['/', ':', '.', '%', '"', "'"];

function invalid(message: string): never {
  throw new DomainError('INVALID_ARGUMENT', message);
}

function requireModel(state: LoggedModelState): void {
  if (!state.exists || state.deleted) throw new DomainError('NOT_FOUND', 'Logged model not found');
}

function checkName(name: string): void {
  if (name.length === 0 || name.length > MAX_EXPERIMENT_NAME_LENGTH || BAD_NAME_CHARACTERS.some((c) => name.includes(c))) {
    invalid(`Invalid model name ${JSON.stringify(name)}: names must be 1..${MAX_EXPERIMENT_NAME_LENGTH} characters and may not contain ${BAD_NAME_CHARACTERS.join(' ')}`);
  }
}

function paramMap(params: readonly KeyValue[], logged: Tags): Record<string, string> {
  if (params.length > MAX_PARAMS_TAGS_PER_BATCH) invalid(`A request can contain at most ${MAX_PARAMS_TAGS_PER_BATCH} params. Got ${params.length} params.`);
  const fresh: Record<string, string> = {};
  for (const { key, value } of params) {
    checkParam(key, value);
    const earlier = fresh[key] ?? logged[key];
    if (earlier !== undefined && earlier !== value) invalid(`Changing param values is not allowed. Param with key='${key}' was already logged with value='${earlier}'. Attempted logging new value '${value}'.`);
    if (logged[key] === undefined) fresh[key] = value;
  }
  return fresh;
}

function tagMap(tags: readonly KeyValue[]): Record<string, string> {
  if (tags.length > MAX_PARAMS_TAGS_PER_BATCH) invalid(`A request can contain at most ${MAX_PARAMS_TAGS_PER_BATCH} tags. Got ${tags.length} tags.`);
  const map: Record<string, string> = {};
  for (const { key, value } of tags) {
    checkTag(key, value);
    map[key] = value;
  }
  return map;
}

export function decideLoggedModel(command: LoggedModelCommand, state: LoggedModelState): LoggedModelEvent[] {
  switch (command.type) {
    case 'CreateLoggedModel': {
      const { loggedModelId, experimentId, experimentLifecycle, name, sourceRunId, modelType, params, tags, artifactLocation, at } = command.data;
      if (state.exists) throw new DomainError('ALREADY_EXISTS', `Logged model ${loggedModelId} already exists.`);
      if (experimentLifecycle === null) throw new DomainError('NOT_FOUND', `No Experiment with id=${experimentId} exists`);
      if (experimentLifecycle !== 'active') invalid(`The experiment ${experimentId} must be in the 'active' state. Current state is ${experimentLifecycle}.`);
      checkName(name);
      checkEpochMillis('creation_timestamp_ms', at);
      return [
        {
          type: 'LoggedModelCreated',
          data: { loggedModelId, experimentId, name, ...(sourceRunId ? { sourceRunId } : {}), modelType, params: paramMap(params, {}), tags: tagMap(tags), artifactLocation, at },
        },
      ];
    }
    case 'LogLoggedModelParams': {
      requireModel(state);
      const fresh = paramMap(command.data.params, state.params);
      return Object.keys(fresh).length > 0 ? [{ type: 'LoggedModelParamsLogged', data: { loggedModelId: state.loggedModelId, params: fresh, at: command.data.at } }] : [];
    }
    case 'FinalizeLoggedModel': {
      requireModel(state);
      const { status, at } = command.data;
      if (status === state.status) return [];
      return [{ type: 'LoggedModelFinalized', data: { loggedModelId: state.loggedModelId, status, at } }];
    }
    case 'SetLoggedModelTags': {
      requireModel(state);
      const changed = Object.fromEntries(Object.entries(tagMap(command.data.tags)).filter(([k, v]) => state.tags[k] !== v));
      return Object.keys(changed).length > 0 ? [{ type: 'LoggedModelTagsSet', data: { loggedModelId: state.loggedModelId, tags: changed, at: command.data.at } }] : [];
    }
    case 'DeleteLoggedModelTag': {
      requireModel(state);
      const { key, at } = command.data;
      if (state.tags[key] === undefined) throw new DomainError('NOT_FOUND', `No tag with key ${key} found for model with ID ${state.loggedModelId}.`);
      return [{ type: 'LoggedModelTagDeleted', data: { loggedModelId: state.loggedModelId, key, at } }];
    }
    case 'DeleteLoggedModel':
      requireModel(state);
      return [{ type: 'LoggedModelDeleted', data: { loggedModelId: state.loggedModelId, at: command.data.at } }];
    default:
      return unknownCommand(command);
  }
}

export function evolveLoggedModel(state: LoggedModelState, event: LoggedModelEvent): LoggedModelState {
  switch (event.type) {
    case 'LoggedModelCreated': {
      const { loggedModelId, experimentId, name, sourceRunId, modelType, params, tags, artifactLocation, at } = event.data;
      return {
        ...initialLoggedModelState,
        exists: true,
        loggedModelId,
        experimentId,
        name,
        ...(sourceRunId !== undefined ? { sourceRunId } : {}),
        modelType,
        params,
        tags,
        artifactLocation,
        creationTime: at,
        lastUpdatedTime: at,
      };
    }
    case 'LoggedModelParamsLogged':
      return { ...state, params: { ...state.params, ...event.data.params }, lastUpdatedTime: event.data.at };
    case 'LoggedModelFinalized':
      return { ...state, status: event.data.status, lastUpdatedTime: event.data.at };
    case 'LoggedModelTagsSet':
      return { ...state, tags: { ...state.tags, ...event.data.tags }, lastUpdatedTime: event.data.at };
    case 'LoggedModelTagDeleted': {
      const { [event.data.key]: _removed, ...tags } = state.tags;
      return { ...state, tags, lastUpdatedTime: event.data.at };
    }
    case 'LoggedModelDeleted':
      return { ...state, deleted: true, lastUpdatedTime: event.data.at };
    default:
      return unknownEvent(event, state);
  }
}

export const loggedModelDecider = { decide: decideLoggedModel, evolve: evolveLoggedModel, initialState: initialLoggedModelState } satisfies Decider<LoggedModelState, LoggedModelCommand, LoggedModelEvent>;
