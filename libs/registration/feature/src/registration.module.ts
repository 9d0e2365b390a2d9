import { Module } from '@nestjs/common';
import type { OnModuleInit } from '@nestjs/common';
import { CatalogQueries } from '@mreg/audit/read-models';
import { InboundGate, ProjectionRunner } from '@mreg/platform/runtime';
import { RegistrationCatalogModule } from '@mreg/registration/catalog';
import { GovernanceCatalogModule } from '@mreg/governance/catalog';
import { DeletedModelController } from './deleted-model.controller';
import { ModelAccessControl } from './model-access-control';
import { ModelAccessController } from './model-access.controller';
import { ModelAliases } from './model-aliases';
import { ModelController } from './model.controller';
import { ModelNames } from './model-names';
import { ModelRegistration } from './model-registration';
import { ModelVersionController } from './model-version.controller';
import { StageApplication } from './stage-application';
import { TrainingRunCompletedConsumer } from './training-run-completed.consumer';
import { TrainingRunIntake } from './training-run-intake';
import { TransitionApprovedReaction } from './transition-approved.reaction';
import { VersionNumbering } from './version-numbering';
import { VersionRegistration } from './version-registration';

const USE_CASES = [ModelNames, ModelRegistration, ModelAccessControl, VersionNumbering, VersionRegistration, ModelAliases, TrainingRunIntake, StageApplication];

/** Registration: models, versions, tags, aliases; applies approved stage changes; registers training runs. */
@Module({
  // Governance's public read: the approval policy in force, whose protected aliases ModelAliases guards.
  imports: [RegistrationCatalogModule, GovernanceCatalogModule],
  controllers: [ModelController, ModelVersionController, DeletedModelController, ModelAccessController],
  providers: [...USE_CASES, TransitionApprovedReaction, TrainingRunCompletedConsumer, InboundGate, CatalogQueries],
  exports: [ModelRegistration, VersionRegistration, ModelAliases],
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
