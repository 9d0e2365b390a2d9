import { Body, Controller, Get, Param, Patch, Put } from '@nestjs/common';
import { ApiBearerAuth, ApiOkResponse, ApiOperation, ApiTags } from '@nestjs/swagger';
import { STAGES } from '@mreg/shared/contracts';
import type { ApprovalPolicy, Stage, StageRule } from '@mreg/shared/contracts';
import type { PolicyInForce } from '@mreg/governance/domain';
import { ApiErrorResponses, Caller, ModelNamePipe, Reader, Roles } from '@mreg/platform/runtime';
import type { Principal } from '@mreg/shared/contracts';
import { ModelLookup } from '@mreg/registration/catalog';
import type { CommandContext } from '@mreg/platform/runtime';
import { ApprovalPolicyResponse, PolicyResponse, RegistryPolicyResponse } from './dto/policy.response';
import { ApprovalPolicyDto, ApprovalPolicyPatchDto } from './dto/transition.dto';
import { GovernanceCommands } from './governance.commands';
import type { PolicyChanges } from './governance.commands';

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
  async get(@Param('name', ModelNamePipe) name: string, @Reader() reader: Principal): Promise<PolicyResponse> {
    const model = await this.lookup.authorize(name, reader, 'read');
    return { model: model.name, policy: policyResource(await this.commands.policyOf(model.modelId)) };
  }

  /** Replaces the policy with a complete one: a body without a rule for every stage, or without protectedAliases, is refused. */
  @Put()
  @Roles('contributor', 'approver')
  @ApiOperation({ summary: "Replace a model's approval policy (a rule for every stage and the protected aliases, {} for none; PATCH changes some)" })
  @ApiOkResponse({ description: 'The new approval policy', type: PolicyResponse })
  @ApiErrorResponses(400, 401, 403, 404, 409, 413, 415)
  async put(@Param('name', ModelNamePipe) name: string, @Body() body: ApprovalPolicyDto, @Caller() ctx: CommandContext): Promise<PolicyResponse> {
    const policy = await this.commands.setPolicy(name, completePolicy(body), ctx);
    const model = await this.lookup.authorize(name, ctx.principal, 'read');
    return { model: model.name, policy: policyResource(policy) };
  }

  /** Changes the stages and aliases the body names; the others keep what is in force. */
  @Patch()
  @Roles('contributor', 'approver')
  @ApiOperation({ summary: "Change some stages or protected aliases of a model's approval policy" })
  @ApiOkResponse({ description: 'The approval policy now in force', type: PolicyResponse })
  @ApiErrorResponses(400, 401, 403, 404, 409, 413, 415)
  async patch(@Param('name', ModelNamePipe) name: string, @Body() body: ApprovalPolicyPatchDto, @Caller() ctx: CommandContext): Promise<PolicyResponse> {
    const policy = await this.commands.changePolicy(name, policyChanges(body), ctx);
    const model = await this.lookup.authorize(name, ctx.principal, 'read');
    return { model: model.name, policy: policyResource(policy) };
  }
}

/** A complete policy body as the domain's policy (validated: every stage has a rule, protectedAliases is there). */
function completePolicy(body: ApprovalPolicyDto): PolicyInForce {
  return { policy: policyRules(body) as ApprovalPolicy, protectedAliases: body.protectedAliases };
}

/** What a PATCH body changes. */
export function policyChanges(body: ApprovalPolicyPatchDto): PolicyChanges {
  return { rules: policyRules(body), protectedAliases: body.protectedAliases ?? {} };
}

/** A policy as the API shows it: a rule per stage, and the protected aliases beside them. */
export function policyResource({ policy, protectedAliases }: PolicyInForce): ApprovalPolicyResponse {
  return { ...policy, protectedAliases };
}

/** The stages a policy body sets. */
export function policyRules(body: ApprovalPolicyPatchDto): Partial<ApprovalPolicy> {
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
    return { policy: policyResource(await this.commands.registryPolicy()) };
  }

  /** Replaces the default with a complete policy: a body without a rule for every stage, or without protectedAliases, is refused. */
  @Put()
  @Roles('admin')
  @ApiOperation({ summary: 'Replace the registry-wide default approval policy (a rule for every stage and the protected aliases, {} for none; PATCH changes some)' })
  @ApiOkResponse({ description: 'The new default approval policy', type: RegistryPolicyResponse })
  @ApiErrorResponses(400, 401, 403, 409, 413, 415)
  async put(@Body() body: ApprovalPolicyDto, @Caller() ctx: CommandContext): Promise<RegistryPolicyResponse> {
    return { policy: policyResource(await this.commands.setRegistryPolicy(completePolicy(body), ctx)) };
  }

  /** Changes the stages and aliases the body names; the others keep what the default says. */
  @Patch()
  @Roles('admin')
  @ApiOperation({ summary: 'Change some stages or protected aliases of the registry-wide default approval policy' })
  @ApiOkResponse({ description: 'The default approval policy now in force', type: RegistryPolicyResponse })
  @ApiErrorResponses(400, 401, 403, 409, 413, 415)
  async patch(@Body() body: ApprovalPolicyPatchDto, @Caller() ctx: CommandContext): Promise<RegistryPolicyResponse> {
    return { policy: policyResource(await this.commands.changeRegistryPolicy(policyChanges(body), ctx)) };
  }
}
