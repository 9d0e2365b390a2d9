import { Inject, Injectable, Optional } from '@nestjs/common';
import { DomainError, fold, modelNameKey, recordedUntil, streams } from '@mreg/shared/contracts';
import { includesPermission, permissionOn } from '@mreg/shared/contracts';
import type { ModelAccess, ModelEvent, ModelNameEvent, ModelPermission, ModelVersionEvent, Principal, RecordedEvent, Stage } from '@mreg/shared/contracts';
import { EVENT_STORE, StreamFolds } from '@mreg/platform/event-store';
import type { EventStore } from '@mreg/platform/event-store';
import { modelNameDecider, modelVersionDecider, registeredModelDecider } from '@mreg/registration/domain';

/** What other contexts need to know of a model, folded from its public events. */
export interface ModelSnapshot {
  readonly exists: boolean;
  readonly deleted: boolean;
  readonly name: string;
  readonly lastVersion: number;
  readonly access: ModelAccess;
}

/** A live model a caller may act on, with what it may do there. */
export interface AuthorizedModel {
  readonly modelId: string;
  readonly name: string;
  readonly access: ModelAccess;
  readonly permission: ModelPermission;
}

/** An unreadable model is answered exactly like a missing one (`notFound`), so that the answer tells nothing. */
function permitted(principal: Principal, modelId: string, model: ModelSnapshot, wanted: ModelPermission, what: string, notFound: () => DomainError): Omit<AuthorizedModel, 'modelId'> {
  const permission = permissionOn(principal, modelId, model.access);
  if (permission === undefined) throw notFound();
  if (!includesPermission(permission, wanted)) {
    throw new DomainError('PERMISSION_DENIED', `${what}: this needs the ${wanted} permission on the model, and ${principal.user} holds ${permission}`, { permission: wanted });
  }
  return { name: model.name, access: model.access, permission };
}

/** What other contexts need to know of a version, folded from its public events. */
export interface VersionSnapshot {
  readonly modelId: string;
  readonly version: number;
  readonly exists: boolean;
  readonly deleted: boolean;
  readonly stage: Stage;
  /** Revision of the version stream (-1 when it has no event). */
  readonly revision: number;
}

/**
 * The registration context's public read: names, models and versions as its streams have them, for the other
 * contexts (governance, artifacts, audit, the MLflow door) and its own use cases. Straight from the log, so a
 * model registered a moment ago is found at once; folded with registration's own deciders, so a fact means
 * here what it means on the write side.
 */
@Injectable()
export class ModelLookup {
  private readonly folds: StreamFolds;

  constructor(
    @Inject(EVENT_STORE) private readonly store: EventStore,
    @Optional() folds?: StreamFolds,
  ) {
    this.folds = folds ?? new StreamFolds(store);
  }

  /** The model that held `name` at `until` (or now), whether or not it still exists: the name stream's fold. */
  async holderOf(name: string, until?: Date): Promise<string | undefined> {
    if (until === undefined) return (await this.folds.current(streams.modelName(modelNameKey(name)), modelNameDecider)).state.holder;
    const events = (await this.store.readStream(streams.modelName(modelNameKey(name)))) as RecordedEvent<ModelNameEvent>[];
    return fold(modelNameDecider, events, until).holder;
  }

  /**
   * The model that holds `name` now, else the last one that held it (a deleted or renamed model): what the audit
   * trail of a name leads to, so that deleting a model never hides its history from auditors.
   */
  async lastHolderOf(name: string): Promise<string | undefined> {
    const events = (await this.store.readStream(streams.modelName(modelNameKey(name)))) as RecordedEvent<ModelNameEvent>[];
    const current = fold(modelNameDecider, events).holder;
    if (current !== undefined) return current;
    const reserved = events.filter((e) => e.type === 'ModelNameReserved').at(-1);
    return reserved === undefined ? undefined : (reserved.data as { modelId: string }).modelId;
  }

  /** The live model holding `name` (its current name, as registered), or undefined. */
  async resolve(name: string): Promise<{ modelId: string; name: string } | undefined> {
    const holder = await this.holderOf(name);
    if (!holder) return undefined;
    const model = await this.model(holder);
    return model.exists && !model.deleted ? { modelId: holder, name: model.name } : undefined;
  }

  /**
   * The live model holding `name` if `principal` may do `wanted` to it (decision 32): every door asks this before it
   * reads or changes a model. NOT_FOUND when the model does not exist or the caller may not even read it (a 403
   * would tell it exists), PERMISSION_DENIED when it may read but not `wanted`.
   */
  async authorize(name: string, principal: Principal, wanted: ModelPermission): Promise<AuthorizedModel> {
    const holder = await this.holderOf(name);
    const model = holder === undefined ? undefined : await this.model(holder);
    const notFound = () => new DomainError('NOT_FOUND', `model "${name}" not found`, { name });
    if (holder === undefined || !model?.exists || model.deleted) throw notFound();
    return { modelId: holder, ...permitted(principal, holder, model, wanted, `model "${name}"`, notFound) };
  }

  /** authorize by model id, live or deleted (the audit reads of a deleted model, its restore). */
  async authorizeId(modelId: string, principal: Principal, wanted: ModelPermission): Promise<AuthorizedModel> {
    const model = await this.model(modelId);
    const notFound = () => new DomainError('NOT_FOUND', `no model has id ${modelId}`, { modelId });
    if (!model.exists) throw notFound();
    return { modelId, ...permitted(principal, modelId, model, wanted, `model ${modelId}`, notFound) };
  }

  /** What `principal` may do to model `modelId` (undefined: nothing, not even read it, or no such model). */
  async permissionOf(modelId: string, principal: Principal): Promise<ModelPermission | undefined> {
    const model = await this.model(modelId);
    return model.exists ? permissionOn(principal, modelId, model.access) : undefined;
  }

  async model(modelId: string): Promise<ModelSnapshot> {
    const { exists, deleted, name, lastVersion, access } = (await this.folds.current(streams.model(modelId), registeredModelDecider)).state;
    return { exists, deleted, name, lastVersion, access };
  }

  /** A model's grants and visibility at `until` (who could read it then), or undefined when it did not exist yet. */
  async accessAt(modelId: string, until: Date): Promise<ModelAccess | undefined> {
    const events = recordedUntil((await this.store.readStream(streams.model(modelId))) as RecordedEvent<ModelEvent>[], until);
    const state = fold(registeredModelDecider, events);
    return state.exists ? state.access : undefined;
  }

  /** The version at `until` (or now); `exists: false` when its stream has no event yet. */
  async version(modelId: string, version: number, until?: Date): Promise<VersionSnapshot> {
    if (until === undefined) {
      const { state, revision } = await this.folds.current(streams.version(modelId, version), modelVersionDecider);
      return { modelId, version, exists: state.exists, deleted: state.deleted, stage: state.stage, revision };
    }
    const events = recordedUntil((await this.store.readStream(streams.version(modelId, version))) as RecordedEvent<ModelVersionEvent>[], until);
    const { exists, deleted, stage } = fold(modelVersionDecider, events);
    return { modelId, version, exists, deleted, stage, revision: events.at(-1)?.streamRevision ?? -1 };
  }

  /** The live version, or NOT_FOUND (a version never created and a deleted one alike). */
  async requireVersion(modelId: string, version: number, modelName: string): Promise<VersionSnapshot> {
    const snapshot = await this.version(modelId, version);
    if (!snapshot.exists || snapshot.deleted) throw new DomainError('NOT_FOUND', `model "${modelName}" has no version ${version}`, { name: modelName, version });
    return snapshot;
  }
}
