import { Injectable } from '@nestjs/common';
import { streams } from '@mreg/shared/contracts';
import type { ModelAccess, ModelPermission, ModelVisibility } from '@mreg/shared/contracts';
import { registeredModelDecider } from '@mreg/registration/domain';
import type { RegisteredModelCommand } from '@mreg/registration/domain';
import { EventSourcedRepository } from '@mreg/platform/runtime';
import type { CommandContext } from '@mreg/platform/runtime';
import { ModelLookup } from '@mreg/registration/catalog';

/**
 * Who may read, write and manage a model (decision 32): grants and visibility, changed by those who manage it,
 * as events on the model stream, so that its history says who gave whom access and asOf who could read it when.
 */
@Injectable()
export class ModelAccessControl {
  constructor(
    private readonly repository: EventSourcedRepository,
    private readonly lookup: ModelLookup,
  ) {}

  grant(name: string, subject: string, permission: ModelPermission, ctx: CommandContext): Promise<ModelAccess> {
    return this.change(name, { type: 'GrantModelAccess', data: { subject, permission } }, ctx);
  }

  revoke(name: string, subject: string, ctx: CommandContext): Promise<ModelAccess> {
    return this.change(name, { type: 'RevokeModelAccess', data: { subject } }, ctx);
  }

  setVisibility(name: string, visibility: ModelVisibility, ctx: CommandContext): Promise<ModelAccess> {
    return this.change(name, { type: 'ChangeModelVisibility', data: { visibility } }, ctx);
  }

  private async change(name: string, command: RegisteredModelCommand, ctx: CommandContext): Promise<ModelAccess> {
    const { modelId } = await this.lookup.authorize(name, ctx.principal, 'manage');
    const result = await this.repository.handle(streams.model(modelId), registeredModelDecider, command, ctx);
    return result.state.access;
  }
}
