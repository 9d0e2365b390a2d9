import { Injectable } from '@nestjs/common';
import { streams } from '@mreg/shared/contracts';
import { registeredModelDecider } from '@mreg/registration/domain';
import { EventSourcedRepository } from '@mreg/platform/runtime';
import type { CommandContext } from '@mreg/platform/runtime';
import { ModelLookup } from '@mreg/registration/catalog';

/** Aliases (`champion`, `challenger`): names of a model's versions, kept on the model stream. */
@Injectable()
export class ModelAliases {
  constructor(
    private readonly repository: EventSourcedRepository,
    private readonly lookup: ModelLookup,
  ) {}

  /** Points `alias` at a live version of the model; returns the model's id. */
  async assign(name: string, alias: string, version: number, ctx: CommandContext): Promise<string> {
    const { modelId } = await this.lookup.require(name);
    const target = await this.lookup.version(modelId, version);
    const versionExists = target.exists && !target.deleted;
    await this.repository.handle(streams.model(modelId), registeredModelDecider, { type: 'AssignAlias', data: { alias, version, versionExists } }, ctx);
    return modelId;
  }

  async remove(name: string, alias: string, ctx: CommandContext): Promise<string> {
    const { modelId } = await this.lookup.require(name);
    await this.repository.handle(streams.model(modelId), registeredModelDecider, { type: 'RemoveAlias', data: { alias } }, ctx);
    return modelId;
  }

  /** Removes the aliases that name `version` (it was deleted). */
  async removeNaming(modelId: string, version: number, ctx: CommandContext): Promise<void> {
    const model = await this.repository.load(streams.model(modelId), registeredModelDecider);
    for (const [alias, target] of Object.entries(model.state.aliases)) {
      if (target === version) await this.repository.handle(streams.model(modelId), registeredModelDecider, { type: 'RemoveAlias', data: { alias } }, ctx);
    }
  }
}
