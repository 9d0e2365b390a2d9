import type { Decider } from '@mreg/shared/contracts';
import { DomainError, canTransition, type Lineage, type ModelVersionCreated, type ModelVersionEvent, type ModelVersionStageChanged, type Stage, type Tags } from '@mreg/shared/contracts';
import type { Command } from '@mreg/shared/contracts';
import { unknownCommand, unknownEvent } from '@mreg/shared/contracts';

// Stream version-<modelId>-<n>: one version's facts and its stage. The number comes from the model stream
// (AllocateVersionNumber) before this stream is created.

export type CreateModelVersion = Command<'CreateModelVersion', ModelVersionCreated['data']>;
export type ChangeVersionDescription = Command<'ChangeVersionDescription', { description: string }>;
export type SetVersionTag = Command<'SetVersionTag', { key: string; value: string }>;
export type RemoveVersionTag = Command<'RemoveVersionTag', { key: string }>;
/**
 * Apply a stage change an approved transition asks for. It reacts to a decision already taken, so a change
 * that no longer fits (version deleted, or no longer in `from`) is recorded as refused instead of thrown.
 */
export type ApplyStageChange = Command<'ApplyStageChange', { transitionId: string; from: Stage; to: Stage; reason: ModelVersionStageChanged['data']['reason'] }>;
export type DeleteModelVersion = Command<'DeleteModelVersion'>;
export type ModelVersionCommand = CreateModelVersion | ChangeVersionDescription | SetVersionTag | RemoveVersionTag | ApplyStageChange | DeleteModelVersion;

export interface ModelVersionState {
  readonly exists: boolean;
  readonly deleted: boolean;
  readonly modelId: string;
  readonly modelName: string;
  readonly version: number;
  readonly description: string;
  readonly source?: string;
  readonly runId?: string;
  readonly loggedModelId?: string;
  readonly artifactSource?: string;
  readonly params: Readonly<Record<string, string>>;
  readonly metrics: Readonly<Record<string, number>>;
  readonly tags: Tags;
  readonly lineage: Lineage;
  readonly signature?: Readonly<Record<string, unknown>>;
  readonly stage: Stage;
  /** Transitions whose stage change this version went through, oldest first. */
  readonly appliedTransitionIds: readonly string[];
  /** Transitions this version refused to apply. */
  readonly refusedTransitionIds: readonly string[];
}

export const initialModelVersionState: ModelVersionState = {
  exists: false,
  deleted: false,
  modelId: '',
  modelName: '',
  version: 0,
  description: '',
  params: {},
  metrics: {},
  tags: {},
  lineage: { datasets: [] },
  stage: 'development',
  appliedTransitionIds: [],
  refusedTransitionIds: [],
};

export function decideModelVersion(command: ModelVersionCommand, state: ModelVersionState): ModelVersionEvent[] {
  if (command.type === 'CreateModelVersion') {
    const data = command.data;
    if (state.exists) {
      const { modelId, version } = data;
      throw new DomainError('ALREADY_EXISTS', `version ${version} of model ${data.modelName} already exists`, { modelId, version });
    }
    if (!Number.isSafeInteger(data.version) || data.version < 1) {
      throw new DomainError('INVALID_ARGUMENT', `version number must be a positive integer, got ${data.version}`, { version: data.version });
    }
    const badMetric = Object.entries(data.metrics).find(([, value]) => !Number.isFinite(value));
    if (badMetric !== undefined) {
      throw new DomainError('INVALID_ARGUMENT', `metric ${badMetric[0]} must be a finite number`, { metric: badMetric[0] });
    }
    return [{ type: 'ModelVersionCreated', data }];
  }
  if (!state.exists) throw new DomainError('NOT_FOUND', 'version not found');
  const { modelId, version } = state;
  if (command.type === 'ApplyStageChange') return applyStageChange(command.data, state);
  if (state.deleted) {
    throw new DomainError('NOT_FOUND', `${describe(state)} not found`, { modelId, version });
  }
  switch (command.type) {
    case 'ChangeVersionDescription': {
      const { description } = command.data;
      return description === state.description ? [] : [{ type: 'ModelVersionDescriptionChanged', data: { modelId, version, description } }];
    }
    case 'SetVersionTag': {
      const { key, value } = command.data;
      if (Object.hasOwn(state.tags, key) && state.tags[key] === value) return [];
      return [{ type: 'ModelVersionTagSet', data: { modelId, version, key, value } }];
    }
    case 'RemoveVersionTag': {
      const { key } = command.data;
      if (!Object.hasOwn(state.tags, key)) {
        throw new DomainError('NOT_FOUND', `${describe(state)} has no tag ${key}`, { modelId, version, key });
      }
      return [{ type: 'ModelVersionTagRemoved', data: { modelId, version, key } }];
    }
    case 'DeleteModelVersion':
      if (state.stage === 'production') {
        throw new DomainError('FAILED_PRECONDITION', `${describe(state)} is in production: archive it first`, { modelId, version, stage: state.stage });
      }
      return [{ type: 'ModelVersionDeleted', data: { modelId, version } }];
    default:
      return unknownCommand(command);
  }
}

function applyStageChange(command: ApplyStageChange['data'], state: ModelVersionState): ModelVersionEvent[] {
  const { transitionId, from, to, reason } = command;
  const { modelId, version } = state;
  // Redelivered reactions: whatever happened for this transition already happened.
  if (state.appliedTransitionIds.includes(transitionId) || state.refusedTransitionIds.includes(transitionId)) return [];
  const refusal = refusalOf(state, from, to);
  if (refusal !== undefined) return [{ type: 'ModelVersionStageChangeRefused', data: { modelId, version, transitionId, reason: refusal } }];
  return [{ type: 'ModelVersionStageChanged', data: { modelId, version, from, to, transitionId, reason } }];
}

function describe(state: ModelVersionState): string {
  return `version ${state.version} of model ${state.modelName}`;
}

function refusalOf(state: ModelVersionState, from: Stage, to: Stage): string | undefined {
  if (state.deleted) return 'version was deleted';
  if (state.stage !== from) return `version is in ${state.stage}, not ${from}`;
  if (!canTransition(from, to)) return `a version cannot move from ${from} to ${to}`;
  return undefined;
}

export function evolveModelVersion(state: ModelVersionState, event: ModelVersionEvent): ModelVersionState {
  switch (event.type) {
    case 'ModelVersionCreated':
      return { ...state, ...event.data, exists: true, stage: 'development' };
    case 'ModelVersionDescriptionChanged':
      return { ...state, description: event.data.description };
    case 'ModelVersionTagSet':
      return { ...state, tags: { ...state.tags, [event.data.key]: event.data.value } };
    case 'ModelVersionTagRemoved':
      return { ...state, tags: Object.fromEntries(Object.entries(state.tags).filter(([key]) => key !== event.data.key)) };
    case 'ModelVersionStageChanged':
      return { ...state, stage: event.data.to, appliedTransitionIds: [...state.appliedTransitionIds, event.data.transitionId] };
    case 'ModelVersionStageChangeRefused':
      return { ...state, refusedTransitionIds: [...state.refusedTransitionIds, event.data.transitionId] };
    case 'ModelVersionDeleted':
      return { ...state, deleted: true };
    default:
      return unknownEvent(event, state);
  }
}

export const modelVersionDecider = { decide: decideModelVersion, evolve: evolveModelVersion, initialState: initialModelVersionState } satisfies Decider<ModelVersionState, ModelVersionCommand, ModelVersionEvent>;
