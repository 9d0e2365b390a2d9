import { Body, Controller, Get, Param, Put } from '@nestjs/common';
import { ApiBearerAuth, ApiOkResponse, ApiOperation, ApiTags } from '@nestjs/swagger';
import { STAGES } from '@mreg/shared/contracts';
import type { ApprovalPolicy, Stage, StageRule } from '@mreg/shared/contracts';
import { ApiErrorResponses, Caller, ModelNamePipe, Roles } from '@mreg/platform/runtime';
import { ModelLookup } from '@mreg/registration/catalog';
import type { CommandContext } from '@mreg/platform/runtime';
import { PolicyResponse, RegistryPolicyResponse } from './dto/policy.response';
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
  async get(@Param('name', ModelNamePipe) name: string): Promise<PolicyResponse> {
    const model = await this.lookup.require(name);
    return { model: model.name, policy: await this.commands.policyOf(model.modelId) };
  }

  /** Replaces the policy; stages left out get the default rule. */
  @Put()
  @Roles('admin')
  @ApiOperation({ summary: "Replace a model's approval policy" })
  @ApiOkResponse({ description: 'The new approval policy', type: PolicyResponse })
  @ApiErrorResponses(400, 401, 403, 404, 409, 413, 415)
  async put(@Param('name', ModelNamePipe) name: string, @Body() body: ApprovalPolicyDto, @Caller() ctx: CommandContext): Promise<PolicyResponse> {
    const policy = await this.commands.setPolicy(name, policyRules(body), ctx);
    const model = await this.lookup.require(name);
    return { model: model.name, policy };
  }
}

/** The stages a policy body sets (the others keep the default's rule). */
export function policyRules(body: ApprovalPolicyDto): Partial<ApprovalPolicy> {
  const partial: Partial<Record<Stage, StageRule>> = {};
  for (const stage of STAGES) {
    const rule = body[stage];
    if (rule) partial[stage] = { requiredApprovals: rule.requiredApprovals, approverRole: rule.approverRole };
  }
  return partial;
}

/**
 * The registry-wide default policy: what every model without a policy of its own follows. Zero approvals for
 * a stage makes moves into it immediate, as MLflow's transition-stage is.
 */
@ApiTags('policies')
@ApiBearerAuth()
@Controller('policy')
export class RegistryPolicyController {
  constructor(private readonly commands: GovernanceCommands) {}

  @Get()
  @Roles('reader')
  @ApiOperation({ summary: 'Get the registry-wide default approval policy' })
  @ApiOkResponse({ description: 'The default approval policy', type: RegistryPolicyResponse })
  @ApiErrorResponses(401, 403)
  async get(): Promise<RegistryPolicyResponse> {
    return { policy: await this.commands.registryPolicy() };
  }

  /** Replaces the default; stages left out get the built-in rule. */
  @Put()
  @Roles('admin')
  @ApiOperation({ summary: 'Replace the registry-wide default approval policy' })
  @ApiOkResponse({ description: 'The new default approval policy', type: RegistryPolicyResponse })
  @ApiErrorResponses(400, 401, 403, 409, 413, 415)
  async put(@Body() body: ApprovalPolicyDto, @Caller() ctx: CommandContext): Promise<RegistryPolicyResponse> {
    return { policy: await this.commands.setRegistryPolicy(policyRules(body), ctx) };
  }
}
