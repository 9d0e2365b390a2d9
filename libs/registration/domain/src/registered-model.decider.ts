import type { Decider } from '@mreg/shared/contracts';
import { DomainError, type ModelEvent, type Tags } from '@mreg/shared/contracts';
import type { Command } from '@mreg/shared/contracts';
import { ACCESS_SUBJECT, OPEN_MODEL_ACCESS, evolveModelAccess, unknownCommand, unknownEvent } from '@mreg/shared/contracts';
import type { ModelAccess, ModelPermission, ModelVisibility } from '@mreg/shared/contracts';

// Stream model-<modelId>: the model's own facts, its aliases, and the counter that hands out version numbers.

/** `access`: the grants and visibility a new model starts with (its owner's manage grant among them). */
export type RegisterModel = Command<'RegisterModel', { modelId: string; name: string; description: string; tags: Tags; access: ModelAccess }>;
export type ChangeModelDescription = Command<'ChangeModelDescription', { description: string }>;
/** The caller has reserved `newName` for this model already (model-name stream). */
export type RenameModel = Command<'RenameModel', { newName: string }>;
export type SetModelTag = Command<'SetModelTag', { key: string; value: string }>;
export type RemoveModelTag = Command<'RemoveModelTag', { key: string }>;
export type AllocateVersionNumber = Command<'AllocateVersionNumber'>;
/** `versionExists`: the caller checked that version stream exists and is not deleted. */
export type AssignAlias = Command<'AssignAlias', { alias: string; version: number; versionExists: boolean }>;
export type RemoveAlias = Command<'RemoveAlias', { alias: string }>;
/** `productionVersions`: the model's versions currently in production, as the caller found them. */
export type DeleteModel = Command<'DeleteModel', { productionVersions: readonly number[] }>;
/**
 * Bring a deleted model back, with its versions, aliases and tags as they were. The caller has reserved `name`
 * for this model already (model-name stream): its name at deletion, or another one when that was taken.
 */
export type RestoreModel = Command<'RestoreModel', { name: string }>;
/** `subject`: `user:<name>` or `group:<name>` (ACCESS_SUBJECT). */
export type GrantModelAccess = Command<'GrantModelAccess', { subject: string; permission: ModelPermission }>;
export type RevokeModelAccess = Command<'RevokeModelAccess', { subject: string }>;
export type ChangeModelVisibility = Command<'ChangeModelVisibility', { visibility: ModelVisibility }>;
export type RegisteredModelCommand =
  GrantModelAccess | RevokeModelAccess | ChangeModelVisibility | RegisterModel | ChangeModelDescription | RenameModel | SetModelTag | RemoveModelTag | AllocateVersionNumber | AssignAlias | RemoveAlias | DeleteModel | RestoreModel;

export interface RegisteredModelState {
  readonly exists: boolean;
  readonly deleted: boolean;
  readonly modelId: string;
  readonly name: string;
  readonly description: string;
  readonly tags: Tags;
  /** The highest version number ever allocated (0: none); numbers are never handed out twice. */
  readonly lastVersion: number;
  /** alias → version */
  readonly aliases: Readonly<Record<string, number>>;
  /** Who may read, write and manage the model beyond the registry-wide roles (decision 32). */
  readonly access: ModelAccess;
}

export const initialRegisteredModelState: RegisteredModelState = {
  exists: false,
  deleted: false,
  modelId: '',
  name: '',
  description: '',
  tags: {},
  lastVersion: 0,
  aliases: {},
  access: OPEN_MODEL_ACCESS,
};

export function decideRegisteredModel(command: RegisteredModelCommand, state: RegisteredModelState): ModelEvent[] {
  if (command.type === 'RegisterModel') {
    const { modelId, name, description, tags, access } = command.data;
    if (state.exists) throw new DomainError('ALREADY_EXISTS', `model ${modelId} already exists`, { modelId });
    const grants = Object.entries(access.grants).map(([subject, permission]): ModelEvent => ({ type: 'ModelAccessGranted', data: { modelId, subject, permission } }));
    const visibility: ModelEvent[] = access.visibility === OPEN_MODEL_ACCESS.visibility ? [] : [{ type: 'ModelVisibilityChanged', data: { modelId, visibility: access.visibility } }];
    // One append: a model never exists, even for a moment, without its owner and visibility.
    return [{ type: 'ModelRegistered', data: { modelId, name, description, tags } }, ...visibility, ...grants];
  }
  if (command.type === 'RestoreModel') return restore(command.data, state);
  if (!state.exists || state.deleted) {
    if (!state.exists) throw new DomainError('NOT_FOUND', 'model not found');
    throw new DomainError('NOT_FOUND', `model ${state.name} not found`, { modelId: state.modelId });
  }
  const { modelId } = state;
  switch (command.type) {
    case 'ChangeModelDescription': {
      const { description } = command.data;
      return description === state.description ? [] : [{ type: 'ModelDescriptionChanged', data: { modelId, description } }];
    }
    case 'RenameModel': {
      const { newName } = command.data;
      return newName === state.name ? [] : [{ type: 'ModelRenamed', data: { modelId, from: state.name, to: newName } }];
    }
    case 'SetModelTag': {
      const { key, value } = command.data;
      return Object.hasOwn(state.tags, key) && state.tags[key] === value ? [] : [{ type: 'ModelTagSet', data: { modelId, key, value } }];
    }
    case 'RemoveModelTag': {
      const { key } = command.data;
      if (!Object.hasOwn(state.tags, key)) throw new DomainError('NOT_FOUND', `model ${state.name} has no tag ${key}`, { modelId, key });
      return [{ type: 'ModelTagRemoved', data: { modelId, key } }];
    }
    case 'AllocateVersionNumber':
      return [{ type: 'ModelVersionNumberAllocated', data: { modelId, version: state.lastVersion + 1 } }];
    case 'AssignAlias': {
      const { alias, version, versionExists } = command.data;
      if (!versionExists || !Number.isInteger(version) || version < 1 || version > state.lastVersion) {
        throw new DomainError('NOT_FOUND', `model ${state.name} has no version ${version}`, { modelId, version });
      }
      const previousVersion = Object.hasOwn(state.aliases, alias) ? state.aliases[alias] : undefined;
      if (previousVersion === version) return [];
      if (previousVersion === undefined) return [{ type: 'AliasAssigned', data: { modelId, alias, version } }];
      return [{ type: 'AliasAssigned', data: { modelId, alias, version, previousVersion } }];
    }
    case 'RemoveAlias': {
      const { alias } = command.data;
      if (!Object.hasOwn(state.aliases, alias)) throw new DomainError('NOT_FOUND', `model ${state.name} has no alias ${alias}`, { modelId, alias });
      return [{ type: 'AliasRemoved', data: { modelId, alias, version: state.aliases[alias] } }];
    }
    case 'GrantModelAccess': {
      const { subject, permission } = command.data;
      assertSubject(subject);
      return state.access.grants[subject] === permission ? [] : [{ type: 'ModelAccessGranted', data: { modelId, subject, permission } }];
    }
    case 'RevokeModelAccess': {
      const { subject } = command.data;
      if (!Object.hasOwn(state.access.grants, subject)) throw new DomainError('NOT_FOUND', `${subject} holds no grant on model ${state.name}`, { modelId, subject });
      return [{ type: 'ModelAccessRevoked', data: { modelId, subject } }];
    }
    case 'ChangeModelVisibility': {
      const { visibility } = command.data;
      return visibility === state.access.visibility ? [] : [{ type: 'ModelVisibilityChanged', data: { modelId, visibility } }];
    }
    case 'DeleteModel': {
      const { productionVersions } = command.data;
      if (productionVersions.length > 0) {
        throw new DomainError('FAILED_PRECONDITION', `model ${state.name} has versions in production (${productionVersions.join(', ')}): archive production versions first`, { modelId, productionVersions: [...productionVersions] });
      }
      return [{ type: 'ModelDeleted', data: { modelId, name: state.name } }];
    }
    default:
      return unknownCommand(command);
  }
}

function restore({ name }: RestoreModel['data'], state: RegisteredModelState): ModelEvent[] {
  if (!state.exists) throw new DomainError('NOT_FOUND', 'model not found');
  const { modelId } = state;
  if (!state.deleted) throw new DomainError('CONFLICT', `model ${state.name} is not deleted`, { modelId, name: state.name });
  return [{ type: 'ModelRestored', data: { modelId, name } }];
}

export function evolveRegisteredModel(state: RegisteredModelState, event: ModelEvent): RegisteredModelState {
  switch (event.type) {
    case 'ModelRegistered': {
      const { modelId, name, description, tags } = event.data;
      return { ...state, exists: true, modelId, name, description, tags: { ...tags } };
    }
    case 'ModelDescriptionChanged':
      return { ...state, description: event.data.description };
    case 'ModelRenamed':
      return { ...state, name: event.data.to };
    case 'ModelTagSet':
      return { ...state, tags: { ...state.tags, [event.data.key]: event.data.value } };
    case 'ModelTagRemoved':
      return { ...state, tags: without(state.tags, event.data.key) };
    case 'ModelVersionNumberAllocated':
      return { ...state, lastVersion: Math.max(state.lastVersion, event.data.version) };
    case 'AliasAssigned':
      return { ...state, aliases: { ...state.aliases, [event.data.alias]: event.data.version } };
    case 'AliasRemoved':
      return { ...state, aliases: without(state.aliases, event.data.alias) };
    case 'ModelDeleted':
      return { ...state, deleted: true };
    case 'ModelRestored':
      return { ...state, deleted: false, name: event.data.name };
    case 'ModelAccessGranted':
    case 'ModelAccessRevoked':
    case 'ModelVisibilityChanged':
      return { ...state, access: evolveModelAccess(state.access, event) };
    default:
      return unknownEvent(event, state);
  }
}

export const registeredModelDecider = { decide: decideRegisteredModel, evolve: evolveRegisteredModel, initialState: initialRegisteredModelState } satisfies Decider<RegisteredModelState, RegisteredModelCommand, ModelEvent>;

function assertSubject(subject: string): void {
  if (!ACCESS_SUBJECT.test(subject)) throw new DomainError('INVALID_ARGUMENT', 'a grant names "user:<name>" or "group:<name>" (no spaces or control characters, at most 200 characters)', { subject });
}

function without<V>(record: Readonly<Record<string, V>>, key: string): Record<string, V> {
  return Object.fromEntries(Object.entries(record).filter(([k]) => k !== key));
}
