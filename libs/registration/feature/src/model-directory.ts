import { Injectable } from '@nestjs/common';
import { DomainError, modelNameKey, streams } from '@mreg/shared/contracts';
import type { ModelEvent, ModelNameEvent, ModelVersionEvent } from '@mreg/shared/contracts';
import { modelNameDecider, modelVersionDecider, registeredModelDecider } from '@mreg/registration/domain';
import type { ModelNameState, ModelVersionState, RegisteredModelState } from '@mreg/registration/domain';
import { EventSourcedRepository, ModelLookup } from '@mreg/platform/runtime';
import type { LoadedStream } from '@mreg/platform/runtime';

/** Stream of a name's reservation: hashed, so any valid name maps to a safe, fixed-length stream id. */
export function nameStreamOf(name: string): string {
  return streams.modelName(modelNameKey(name));
}

/** Finds models by name and loads aggregates straight from the log (always current, no projection lag). */
@Injectable()
export class ModelDirectory {
  constructor(
    private readonly repository: EventSourcedRepository,
    private readonly lookup: ModelLookup,
  ) {}

  loadName(name: string, until?: Date): Promise<LoadedStream<ModelNameEvent, ModelNameState>> {
    return this.repository.load(nameStreamOf(name), modelNameDecider, until);
  }

  loadModel(modelId: string, until?: Date): Promise<LoadedStream<ModelEvent, RegisteredModelState>> {
    return this.repository.load(streams.model(modelId), registeredModelDecider, until);
  }

  loadVersion(modelId: string, version: number, until?: Date): Promise<LoadedStream<ModelVersionEvent, ModelVersionState>> {
    return this.repository.load(streams.version(modelId, version), modelVersionDecider, until);
  }

  /** The id of the live model holding `name`, if any. */
  async resolve(name: string): Promise<string | undefined> {
    return (await this.lookup.resolve(name))?.modelId;
  }

  async require(name: string): Promise<string> {
    return (await this.lookup.require(name)).modelId;
  }

  /** The live version or a 404. */
  async requireVersion(modelId: string, version: number, modelName: string): Promise<LoadedStream<ModelVersionEvent, ModelVersionState>> {
    const loaded = await this.loadVersion(modelId, version);
    if (!loaded.state.exists || loaded.state.deleted) throw new DomainError('NOT_FOUND', `model "${modelName}" has no version ${version}`, { name: modelName, version });
    return loaded;
  }
}
