import { Inject, Injectable, Optional } from '@nestjs/common';
import { DomainError, fold, modelNameKey, recordedUntil, streams } from '@mreg/shared/contracts';
import type { ModelNameEvent, ModelVersionEvent, RecordedEvent, Stage } from '@mreg/shared/contracts';
import { EVENT_STORE, StreamFolds } from '@mreg/platform/event-store';
import type { EventStore } from '@mreg/platform/event-store';
import { modelNameDecider, modelVersionDecider, registeredModelDecider } from '@mreg/registration/domain';

/** What other contexts need to know of a model, folded from its public events. */
export interface ModelSnapshot {
  readonly exists: boolean;
  readonly deleted: boolean;
  readonly name: string;
  readonly lastVersion: number;
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

  /** The live model holding `name`, or NOT_FOUND. */
  async require(name: string): Promise<{ modelId: string; name: string }> {
    const found = await this.resolve(name);
    if (!found) throw new DomainError('NOT_FOUND', `model "${name}" not found`, { name });
    return found;
  }

  async model(modelId: string): Promise<ModelSnapshot> {
    const { exists, deleted, name, lastVersion } = (await this.folds.current(streams.model(modelId), registeredModelDecider)).state;
    return { exists, deleted, name, lastVersion };
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
