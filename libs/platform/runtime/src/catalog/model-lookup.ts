import { Inject, Injectable } from '@nestjs/common';
import { DomainError, modelNameKey, streams } from '@mreg/shared/contracts';
import type { ModelEvent, ModelNameEvent, ModelVersionEvent, Stage } from '@mreg/shared/contracts';
import { EVENT_STORE } from '@mreg/platform/event-store';
import type { EventStore } from '@mreg/platform/event-store';

/** What other contexts need to know of a version, folded from its public events. */
export interface VersionSnapshot {
  readonly modelId: string;
  readonly version: number;
  readonly exists: boolean;
  readonly deleted: boolean;
  readonly stage: Stage;
  readonly revision: number;
}

/**
 * Read-only lookups of registration's public streams for the other contexts (governance, artifacts, audit):
 * straight from the log, so a model registered a moment ago is found at once.
 */
@Injectable()
export class ModelLookup {
  constructor(@Inject(EVENT_STORE) private readonly store: EventStore) {}

  /** The live model holding `name`, or undefined. */
  /** The model that held `name` at `until` (or now), whether or not it still exists: the name stream's fold. */
  async holderOf(name: string, until?: Date): Promise<string | undefined> {
    let holder: string | undefined;
    for (const e of await this.store.readStream(streams.modelName(modelNameKey(name)))) {
      if (until && Date.parse(e.metadata.occurredAt) > until.getTime()) break;
      const event = { type: e.type, data: e.data } as ModelNameEvent;
      holder = event.type === 'ModelNameReserved' ? event.data.modelId : event.data.modelId === holder ? undefined : holder;
    }
    return holder;
  }

  async resolve(name: string): Promise<{ modelId: string; name: string } | undefined> {
    const holder = await this.holderOf(name);
    if (!holder) return undefined;
    const model = await this.model(holder);
    return model.exists && !model.deleted ? { modelId: holder, name: model.name } : undefined;
  }

  async require(name: string): Promise<{ modelId: string; name: string }> {
    const found = await this.resolve(name);
    if (!found) throw new DomainError('NOT_FOUND', `model "${name}" not found`, { name });
    return found;
  }

  async model(modelId: string): Promise<{ exists: boolean; deleted: boolean; name: string; lastVersion: number }> {
    let state = { exists: false, deleted: false, name: '', lastVersion: 0 };
    for (const e of await this.store.readStream(streams.model(modelId))) {
      const event = { type: e.type, data: e.data } as ModelEvent;
      if (event.type === 'ModelRegistered') state = { ...state, exists: true, name: event.data.name };
      else if (event.type === 'ModelRenamed') state = { ...state, name: event.data.to };
      else if (event.type === 'ModelDeleted') state = { ...state, deleted: true };
      else if (event.type === 'ModelVersionNumberAllocated') state = { ...state, lastVersion: Math.max(state.lastVersion, event.data.version) };
    }
    return state;
  }

  async version(modelId: string, version: number, until?: Date): Promise<VersionSnapshot> {
    let snapshot: VersionSnapshot = { modelId, version, exists: false, deleted: false, stage: 'development', revision: -1 };
    for (const e of await this.store.readStream(streams.version(modelId, version))) {
      if (until && new Date(e.metadata.occurredAt).getTime() > until.getTime()) break;
      const event = { type: e.type, data: e.data } as ModelVersionEvent;
      snapshot = { ...snapshot, revision: e.streamRevision };
      if (event.type === 'ModelVersionCreated') snapshot = { ...snapshot, exists: true };
      else if (event.type === 'ModelVersionStageChanged') snapshot = { ...snapshot, stage: event.data.to };
      else if (event.type === 'ModelVersionDeleted') snapshot = { ...snapshot, deleted: true };
    }
    return snapshot;
  }

  async requireVersion(modelId: string, version: number, modelName: string): Promise<VersionSnapshot> {
    const snapshot = await this.version(modelId, version);
    if (!snapshot.exists || snapshot.deleted) throw new DomainError('NOT_FOUND', `model "${modelName}" has no version ${version}`, { name: modelName, version });
    return snapshot;
  }
}
