import { Module } from '@nestjs/common';
import type { OnModuleInit } from '@nestjs/common';
import { CatalogQueries } from '@mreg/audit/read-models';
import { InboundGate, ProjectionRunner } from '@mreg/platform/runtime';
import { ApprovalCommandConsumer } from './approval-command.consumer';
import { GovernanceCommands } from './governance.commands';
import { PolicyController } from './policy.controller';
import { StageOutcomeReaction } from './stage-outcome.reaction';
import { TransitionController } from './transition.controller';

/** Governance: transition requests, approvals (over HTTP and as commands on Kafka), policies. */
@Module({
  controllers: [TransitionController, PolicyController],
  providers: [GovernanceCommands, StageOutcomeReaction, ApprovalCommandConsumer, InboundGate, CatalogQueries],
  exports: [GovernanceCommands],
})
export class GovernanceModule implements OnModuleInit {
  constructor(
    private readonly runner: ProjectionRunner,
    private readonly reaction: StageOutcomeReaction,
    private readonly approvalCommands: ApprovalCommandConsumer,
  ) {}

  onModuleInit(): void {
    this.runner.addReaction(this.reaction);
    // Subscribed with the projections at application bootstrap (group mreg.governance.commands).
    this.runner.addInboundConsumer(this.approvalCommands);
  }
}
