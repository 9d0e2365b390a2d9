import { Module } from '@nestjs/common';
import type { OnModuleInit } from '@nestjs/common';
import { CatalogQueries } from '@mreg/audit/read-models';
import { ProjectionRunner } from '@mreg/platform/runtime';
import { GovernanceCommands } from './governance.commands';
import { PolicyController } from './policy.controller';
import { StageOutcomeReaction } from './stage-outcome.reaction';
import { TransitionController } from './transition.controller';

/** Governance: transition requests, approvals, policies. */
@Module({
  controllers: [TransitionController, PolicyController],
  providers: [GovernanceCommands, StageOutcomeReaction, CatalogQueries],
  exports: [GovernanceCommands],
})
export class GovernanceModule implements OnModuleInit {
  constructor(
    private readonly runner: ProjectionRunner,
    private readonly reaction: StageOutcomeReaction,
  ) {}

  onModuleInit(): void {
    this.runner.addReaction(this.reaction);
  }
}
