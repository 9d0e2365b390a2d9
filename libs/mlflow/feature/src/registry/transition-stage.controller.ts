import { Body, Controller, HttpCode, Post } from '@nestjs/common';
import { ApiBearerAuth, ApiOperation, ApiTags } from '@nestjs/swagger';
import { GovernanceCommands } from '@mreg/governance/feature';
import { ApiError, Caller, Consistency, Roles, currentWrites } from '@mreg/platform/runtime';
import { ModelLookup } from '@mreg/registration/catalog';
import type { CommandContext } from '@mreg/platform/runtime';
import { mlflowStage, stageFromMlflow } from '../wire/stages';
import { TransitionStageMessage } from '../wire/messages';
import { MlflowRegistryViews } from './registry-views';

/**
 * MLflow's `transition-stage` as an mreg transition request: it never bypasses the model's approval policy.
 * Where the policy needs no approval for the target stage it is applied at once and answered as MLflow does;
 * otherwise the request stays open and the caller learns its id and how to approve it.
 */
@ApiTags('mlflow')
@ApiBearerAuth()
@Controller('api/2.0/mlflow')
export class MlflowTransitionController {
  constructor(
    private readonly commands: GovernanceCommands,
    private readonly lookup: ModelLookup,
    private readonly views: MlflowRegistryViews,
    private readonly consistency: Consistency,
  ) {}

  @Post('model-versions/transition-stage')
  @HttpCode(200)
  @Roles('contributor')
  @ApiOperation({ summary: 'MLflow: move a version to a stage (through its approval policy)' })
  async transition(@Body() body: TransitionStageMessage, @Caller() ctx: CommandContext) {
    const stage = stageFromMlflow(body.stage);
    const version = Number(body.version);
    const transitionId = await this.commands.request(body.name, version, { stage, archiveExisting: body.archive_existing_versions ?? false, comment: 'transition-stage (MLflow API)' }, ctx);
    const transition = await this.commands.transition(transitionId);
    const { modelId } = await this.lookup.authorize(body.name, ctx.principal, 'read');
    if (transition.status === 'pending') {
      // The error names the request: make it readable (read-your-writes) before the caller goes to approve it.
      await this.consistency.waitFor(currentWrites());
      const { requiredApprovals, approverRole } = transition.request.rule;
      throw new ApiError(
        'PERMISSION_DENIED',
        `moving version ${version} of "${body.name}" to ${mlflowStage(stage)} needs ${requiredApprovals} approval(s) by the ${approverRole} role: ` +
          `transition request ${transitionId} is pending; approve it with POST /api/v1/transitions/${transitionId}/approve ` +
          `(or an approval command on Kafka), or set a policy with no approvals for ${mlflowStage(stage)}`,
        { transitionId },
      );
    }
    if (transition.status === 'failed') throw new ApiError('FAILED_PRECONDITION', `transition ${transitionId} could not be applied`, { transitionId });
    return { model_version: await this.views.settledVersion(modelId, version, body.name) };
  }
}
