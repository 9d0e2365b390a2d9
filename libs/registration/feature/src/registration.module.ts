import { Module } from '@nestjs/common';
import type { OnModuleInit } from '@nestjs/common';
import { CatalogQueries } from '@mreg/audit/read-models';
import { InboundGate, ProjectionRunner } from '@mreg/platform/runtime';
import { ModelController } from './model.controller';
import { ModelDirectory } from './model-directory';
import { ModelVersionController } from './model-version.controller';
import { RegistrationCommands } from './registration.commands';
import { TrainingRunCompletedConsumer } from './training-run-completed.consumer';
import { TransitionApprovedReaction } from './transition-approved.reaction';

/** Registration: models, versions, tags, aliases; applies approved stage changes; registers training runs. */
@Module({
  controllers: [ModelController, ModelVersionController],
  providers: [ModelDirectory, RegistrationCommands, TransitionApprovedReaction, TrainingRunCompletedConsumer, InboundGate, CatalogQueries],
  exports: [ModelDirectory, RegistrationCommands],
})
export class RegistrationModule implements OnModuleInit {
  constructor(
    private readonly runner: ProjectionRunner,
    private readonly reaction: TransitionApprovedReaction,
    private readonly trainingRuns: TrainingRunCompletedConsumer,
  ) {}

  onModuleInit(): void {
    this.runner.addReaction(this.reaction);
    // Subscribed with the projections at application bootstrap (group mreg.registration.training).
    this.runner.addInboundConsumer(this.trainingRuns);
  }
}
