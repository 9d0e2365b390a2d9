import { Injectable } from '@nestjs/common';
import { DomainError, includesPermission, streams } from '@mreg/shared/contracts';
import { registeredModelDecider, requireMayMoveAlias } from '@mreg/registration/domain';
import { EventSourcedRepository } from '@mreg/platform/runtime';
import type { CommandContext } from '@mreg/platform/runtime';
import { ModelLookup } from '@mreg/registration/catalog';
import type { AuthorizedModel } from '@mreg/registration/catalog';
import { PolicyLookup } from '@mreg/governance/catalog';

/**
 * Aliases (`champion`, `challenger`): names of a model's versions, kept on the model stream. Every door (the API,
 * MLflow's routes) moves them through here, so an alias the model's approval policy protects is guarded the same
 * everywhere: the policy in force and the version's stage are read from the log at the moment of the move.
 */
@Injectable()
export class ModelAliases {
  constructor(
    private readonly repository: EventSourcedRepository,
    private readonly lookup: ModelLookup,
    private readonly policies: PolicyLookup,
  ) {}

  /** Points `alias` at a live version of the model; returns the model's id. */
  async assign(name: string, alias: string, version: number, ctx: CommandContext): Promise<string> {
    const model = await this.lookup.authorize(name, ctx.principal, 'read');
    const { modelId } = model;
    const target = await this.lookup.version(modelId, version);
    const versionExists = target.exists && !target.deleted;
    const protection = await this.policies.protectionOf(modelId, alias);
    requireMayWriteUnprotected(model, protection, ctx);
    requireMayMoveAlias({ modelId, modelName: model.name, alias, by: ctx.principal, protection, ...(versionExists ? { target: { version, stage: target.stage } } : {}) });
    await this.repository.handle(streams.model(modelId), registeredModelDecider, { type: 'AssignAlias', data: { alias, version, versionExists } }, ctx);
    return modelId;
  }

  async remove(name: string, alias: string, ctx: CommandContext): Promise<string> {
    const model = await this.lookup.authorize(name, ctx.principal, 'read');
    const { modelId } = model;
    const protection = await this.policies.protectionOf(modelId, alias);
    requireMayWriteUnprotected(model, protection, ctx);
    requireMayMoveAlias({ modelId, modelName: model.name, alias, by: ctx.principal, protection });
    await this.repository.handle(streams.model(modelId), registeredModelDecider, { type: 'RemoveAlias', data: { alias } }, ctx);
    return modelId;
  }

  /**
   * Refuses to delete `version` when the caller may not remove an alias that names it (deleting the version removes
   * its aliases): a protected alias is not dropped by deleting what it points at. Call before the deletion.
   */
  async requireMayDropAliasesOf(modelId: string, version: number, ctx: CommandContext): Promise<void> {
    const model = (await this.repository.load(streams.model(modelId), registeredModelDecider)).state;
    for (const [alias, target] of Object.entries(model.aliases)) {
      if (target !== version) continue;
      requireMayMoveAlias({ modelId, modelName: model.name, alias, by: ctx.principal, protection: await this.policies.protectionOf(modelId, alias) });
    }
  }

  /** Removes the aliases that name `version` (it was deleted; `requireMayDropAliasesOf` allowed it). */
  async removeNaming(modelId: string, version: number, ctx: CommandContext): Promise<void> {
    const model = await this.repository.load(streams.model(modelId), registeredModelDecider);
    for (const [alias, target] of Object.entries(model.state.aliases)) {
      if (target === version) await this.repository.handle(streams.model(modelId), registeredModelDecider, { type: 'RemoveAlias', data: { alias } }, ctx);
    }
  }
}

/**
 * An alias the policy does not protect is the model's own: moving it needs write on the model (decision 32). A
 * protected one is the policy's: its role decides (requireMayMoveAlias), as for approvals, among those who may read it.
 */
function requireMayWriteUnprotected(model: AuthorizedModel, protection: unknown, ctx: CommandContext): void {
  if (protection !== undefined || includesPermission(model.permission, 'write')) return;
  throw new DomainError('PERMISSION_DENIED', `model "${model.name}": moving an alias needs the write permission on the model, and ${ctx.principal.user} holds ${model.permission}`, { permission: 'write' });
}
