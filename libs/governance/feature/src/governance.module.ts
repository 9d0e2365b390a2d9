import { Logger, Module } from '@nestjs/common';
import type { OnApplicationBootstrap, OnModuleInit } from '@nestjs/common';
import { CatalogQueries } from '@mreg/audit/read-models';
import { ApiError, InboundGate, MregConfig, ProjectionRunner, SYSTEM_PRINCIPAL, validationPipe } from '@mreg/platform/runtime';
import { RegistrationCatalogModule } from '@mreg/registration/catalog';
import { GovernanceCatalogModule } from '@mreg/governance/catalog';
import { randomUUID } from 'node:crypto';
import { DEFAULT_APPROVAL_POLICY } from '@mreg/shared/contracts';
import type { AliasProtection } from '@mreg/shared/contracts';
import { ApprovalCommandConsumer } from './approval-command.consumer';
import { GovernanceCommands } from './governance.commands';
import { ApprovalPolicyPatchDto } from './dto/transition.dto';
import { PolicyController, RegistryPolicyController, policyResource, policyRules } from './policy.controller';
import { StageOutcomeReaction } from './stage-outcome.reaction';
import { TransitionController } from './transition.controller';
import { WebhooksModule } from './webhooks/webhooks.module';
import { ApiTokensModule } from './api-tokens/api-tokens.module';

/** Governance: transition requests, approvals (over HTTP and as commands on Kafka), policies, webhooks. */
@Module({
  imports: [RegistrationCatalogModule, GovernanceCatalogModule, WebhooksModule, ApiTokensModule],
  controllers: [TransitionController, PolicyController, RegistryPolicyController],
  providers: [GovernanceCommands, StageOutcomeReaction, ApprovalCommandConsumer, InboundGate, CatalogQueries],
  exports: [GovernanceCommands],
})
export class GovernanceModule implements OnModuleInit, OnApplicationBootstrap {
  constructor(
    private readonly runner: ProjectionRunner,
    private readonly reaction: StageOutcomeReaction,
    private readonly approvalCommands: ApprovalCommandConsumer,
    private readonly commands: GovernanceCommands,
    private readonly config: MregConfig,
  ) {}

  /** MREG_DEFAULT_APPROVAL_POLICY becomes the registry-wide default (an event, unless it is already in force). */
  async onApplicationBootstrap(): Promise<void> {
    const json = this.config.defaultApprovalPolicy;
    if (json === undefined) return;
    let body: ApprovalPolicyPatchDto;
    try {
      body = (await validationPipe.transform(JSON.parse(json), { type: 'body', metatype: ApprovalPolicyPatchDto })) as ApprovalPolicyPatchDto;
    } catch (error) {
      const reason = error instanceof ApiError || error instanceof SyntaxError ? error.message : String(error);
      throw new Error(`MREG_DEFAULT_APPROVAL_POLICY: ${reason}`);
    }
    // Stages the variable leaves out keep the built-in rule, whatever an earlier start or the API set; aliases it
    // does not protect (or names with null) are free.
    const protectedAliases = Object.entries(body.protectedAliases ?? {}).filter((entry): entry is [string, AliasProtection] => entry[1] !== null);
    const policy = await this.commands.setRegistryPolicy(
      { policy: { ...DEFAULT_APPROVAL_POLICY, ...policyRules(body) }, protectedAliases: Object.fromEntries(protectedAliases) },
      {
        principal: { ...SYSTEM_PRINCIPAL, user: 'system:config' },
        correlationId: randomUUID(),
      },
    );
    new Logger('governance').log(`default approval policy: ${JSON.stringify(policyResource(policy))}`);
  }

  onModuleInit(): void {
    this.runner.addReaction(this.reaction);
    // Subscribed with the projections at application bootstrap (group mreg.governance.commands).
    this.runner.addInboundConsumer(this.approvalCommands);
  }
}
