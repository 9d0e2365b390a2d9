import { randomUUID } from 'node:crypto';
import { Injectable } from '@nestjs/common';
import { DomainError, streams } from '@mreg/shared/contracts';
import type { ModelAccess, Principal } from '@mreg/shared/contracts';
import { registeredModelDecider } from '@mreg/registration/domain';
import type { RestoreModel } from '@mreg/registration/domain';
import { EventSourcedRepository, MregConfig } from '@mreg/platform/runtime';
import type { CommandContext } from '@mreg/platform/runtime';
import { ModelLookup } from '@mreg/registration/catalog';
import { ModelNames, isSameName } from './model-names';

/** A model to register, whichever door it came through (HTTP, MLflow, a training run). */
export interface NewModel {
  readonly name: string;
  readonly description?: string;
  readonly tags?: Readonly<Record<string, string>>;
}

/** Registered models: registering, describing, renaming, tagging, deleting and restoring one. Each returns the model's id. */
@Injectable()
export class ModelRegistration {
  constructor(
    private readonly repository: EventSourcedRepository,
    private readonly lookup: ModelLookup,
    private readonly names: ModelNames,
    private readonly config: MregConfig,
  ) {}

  /** Reserves the name, then records the model on its own stream. */
  async register(input: NewModel, ctx: CommandContext): Promise<string> {
    if (ctx.principal.models !== undefined) throw new DomainError('PERMISSION_DENIED', 'this credential is limited to some models: it cannot register a new one');
    const modelId = randomUUID();
    await this.names.reserve(input.name, modelId, ctx);
    const access = initialAccess(ctx.principal, this.config.modelVisibility);
    await this.repository.handle(streams.model(modelId), registeredModelDecider, { type: 'RegisterModel', data: { modelId, name: input.name, description: input.description ?? '', tags: { ...input.tags }, access } }, ctx);
    return modelId;
  }

  /** With `expectedRevision` (If-Match), a model changed meanwhile is a conflict. */
  async describe(name: string, description: string, ctx: CommandContext, expectedRevision?: number): Promise<string> {
    const { modelId } = await this.lookup.authorize(name, ctx.principal, 'write');
    await this.repository.handle(streams.model(modelId), registeredModelDecider, { type: 'ChangeModelDescription', data: { description } }, ctx, expectedRevision === undefined ? {} : { expectedRevision });
    return modelId;
  }

  /** Reserves the new name, renames, then releases the old name (or gives the new one back when refused). */
  async rename(name: string, newName: string, ctx: CommandContext): Promise<string> {
    const { modelId } = await this.lookup.authorize(name, ctx.principal, 'manage');
    const sameName = isSameName(name, newName);
    if (!sameName) await this.names.reserve(newName, modelId, ctx);
    try {
      await this.repository.handle(streams.model(modelId), registeredModelDecider, { type: 'RenameModel', data: { newName } }, ctx);
    } catch (error) {
      if (!sameName) await this.names.release(newName, modelId, ctx);
      throw error;
    }
    if (!sameName) await this.names.release(name, modelId, ctx);
    return modelId;
  }

  async setTag(name: string, key: string, value: string, ctx: CommandContext): Promise<string> {
    const { modelId } = await this.lookup.authorize(name, ctx.principal, 'write');
    await this.repository.handle(streams.model(modelId), registeredModelDecider, { type: 'SetModelTag', data: { key, value } }, ctx);
    return modelId;
  }

  async removeTag(name: string, key: string, ctx: CommandContext): Promise<string> {
    const { modelId } = await this.lookup.authorize(name, ctx.principal, 'write');
    await this.repository.handle(streams.model(modelId), registeredModelDecider, { type: 'RemoveModelTag', data: { key } }, ctx);
    return modelId;
  }

  /** Deletes the model (never one with a version in production), then releases its name. */
  async delete(name: string, ctx: CommandContext): Promise<void> {
    const { modelId } = await this.lookup.authorize(name, ctx.principal, 'manage');
    const model = await this.repository.load(streams.model(modelId), registeredModelDecider);
    const productionVersions: number[] = [];
    for (let v = 1; v <= model.state.lastVersion; v++) {
      const version = await this.lookup.version(modelId, v);
      if (version.exists && !version.deleted && version.stage === 'production') productionVersions.push(v);
    }
    await this.repository.handle(streams.model(modelId), registeredModelDecider, { type: 'DeleteModel', data: { productionVersions } }, ctx, { expectedRevision: model.revision });
    await this.names.release(model.state.name, modelId, ctx);
  }

  /**
   * Brings a deleted model back with its versions, aliases and tags as they were, under `newName` or else its name
   * at deletion. Refused before anything is written when the model is unknown (NOT_FOUND) or live (CONFLICT); then
   * the name is reserved (ALREADY_EXISTS when another model holds it), and given back if the restore itself fails
   * (a concurrent restore won: STALE_REVISION).
   */
  async restore(modelId: string, ctx: CommandContext, newName?: string): Promise<string> {
    await this.lookup.authorizeId(modelId, ctx.principal, 'manage');
    const model = await this.repository.load(streams.model(modelId), registeredModelDecider);
    const command: RestoreModel = { type: 'RestoreModel', data: { name: newName ?? model.state.name } };
    registeredModelDecider.decide(command, model.state);
    const { name } = command.data;
    // Held already when a deletion stopped before releasing it, or a concurrent restore reserved it: not ours to give back.
    const reserved = await this.names.reserve(name, modelId, ctx);
    try {
      await this.repository.handle(streams.model(modelId), registeredModelDecider, command, ctx, { expectedRevision: model.revision });
    } catch (error) {
      if (reserved) await this.names.release(name, modelId, ctx);
      throw error;
    }
    return modelId;
  }
}

/**
 * A new model's grants (decision 32): its creator manages it; with `owners` visibility it is private, and the
 * creator's groups may read it.
 */
export function initialAccess(creator: Principal, visibility: MregConfig['modelVisibility']): ModelAccess {
  const grants: Record<string, 'read' | 'manage'> = {};
  if (visibility === 'owners') for (const group of creator.groups ?? []) grants[`group:${group}`] = 'read';
  grants[`user:${creator.user}`] = 'manage';
  return { visibility: visibility === 'owners' ? 'private' : 'registry', grants };
}
