import { Module } from '@nestjs/common';
import type { OnModuleInit } from '@nestjs/common';
import { CatalogQueries } from '@mreg/audit/read-models';
import { ProjectionRunner } from '@mreg/platform/runtime';
import { ModelController } from './model.controller';
import { ModelDirectory } from './model-directory';
import { ModelVersionController } from './model-version.controller';
import { RegistrationCommands } from './registration.commands';
import { TransitionApprovedReaction } from './transition-approved.reaction';

/** Registration: models, versions, tags, aliases; applies approved stage changes. */
@Module({
  controllers: [ModelController, ModelVersionController],
  providers: [ModelDirectory, RegistrationCommands, TransitionApprovedReaction, CatalogQueries],
  exports: [ModelDirectory, RegistrationCommands],
})
export class RegistrationModule implements OnModuleInit {
  constructor(
    private readonly runner: ProjectionRunner,
    private readonly reaction: TransitionApprovedReaction,
  ) {}

  onModuleInit(): void {
    this.runner.addReaction(this.reaction);
  }
}
