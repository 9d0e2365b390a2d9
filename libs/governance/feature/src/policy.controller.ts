import { Body, Controller, Get, Param, Put } from '@nestjs/common';
import { ApiBearerAuth, ApiOkResponse, ApiOperation, ApiTags } from '@nestjs/swagger';
import type { ApprovalPolicy } from '@mreg/shared/contracts';
import { ApiErrorResponses, Caller, ModelLookup, Roles, modelNameParam } from '@mreg/platform/runtime';
import type { CommandContext } from '@mreg/platform/runtime';
import { PolicyResponse } from './dto/policy.response';
import { ApprovalPolicyDto } from './dto/transition.dto';
import { GovernanceCommands } from './governance.commands';

@ApiTags('policies')
@ApiBearerAuth()
@Controller('models/:name/policy')
export class PolicyController {
  constructor(
    private readonly commands: GovernanceCommands,
    private readonly lookup: ModelLookup,
  ) {}

  @Get()
  @Roles('reader')
  @ApiOperation({ summary: "Get a model's approval policy" })
  @ApiOkResponse({ description: 'The approval policy', type: PolicyResponse })
  @ApiErrorResponses(400, 401, 403, 404)
  async get(@Param('name') name: string): Promise<{ model: string; policy: ApprovalPolicy }> {
    modelNameParam(name);
    const model = await this.lookup.require(name);
    return { model: model.name, policy: await this.commands.policyOf(model.modelId) };
  }

  /** Replaces the policy; stages left out get the default rule. */
  @Put()
  @Roles('admin')
  @ApiOperation({ summary: "Replace a model's approval policy" })
  @ApiOkResponse({ description: 'The new approval policy', type: PolicyResponse })
  @ApiErrorResponses(400, 401, 403, 404, 409, 413, 415)
  async put(@Param('name') name: string, @Body() body: ApprovalPolicyDto, @Caller() ctx: CommandContext): Promise<{ model: string; policy: ApprovalPolicy }> {
    modelNameParam(name);
    const partial: Partial<Record<keyof ApprovalPolicyDto, { requiredApprovals: number; approverRole: ApprovalPolicy['staging']['approverRole'] }>> = {};
    for (const stage of ['development', 'staging', 'production', 'archived'] as const) {
      const rule = body[stage];
      if (rule) partial[stage] = { requiredApprovals: rule.requiredApprovals, approverRole: rule.approverRole };
    }
    const policy = await this.commands.setPolicy(name, partial, ctx);
    const model = await this.lookup.require(name);
    return { model: model.name, policy };
  }
}
