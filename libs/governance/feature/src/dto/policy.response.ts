import { ApiProperty } from '@nestjs/swagger';
import { StageRuleResponse } from '@mreg/audit/read-models';
import { STAGES } from '@mreg/shared/contracts';
import type { ProtectedAliases } from '@mreg/shared/contracts';
import { APPROVER_ROLES } from '@mreg/governance/domain';
import { PATH_PARAMETER_SCHEMAS } from '@mreg/platform/runtime';

/** alias → its protection (keys by the alias grammar). */
const PROTECTED_ALIASES_SCHEMA = {
  propertyNames: PATH_PARAMETER_SCHEMAS.alias,
  additionalProperties: {
    type: 'object' as const,
    required: ['stage', 'role'],
    properties: { stage: { type: 'string' as const, enum: [...STAGES] }, role: { type: 'string' as const, enum: [...APPROVER_ROLES] } },
  },
};

/** The approval rule of every target stage. */
export class ApprovalPolicyResponse {
  @ApiProperty({ type: StageRuleResponse })
  development!: StageRuleResponse;

  @ApiProperty({ type: StageRuleResponse })
  staging!: StageRuleResponse;

  @ApiProperty({ type: StageRuleResponse })
  production!: StageRuleResponse;

  @ApiProperty({ type: StageRuleResponse })
  archived!: StageRuleResponse;

  @ApiProperty({
    type: 'object',
    ...PROTECTED_ALIASES_SCHEMA,
    description: 'Aliases only a holder of `role` (or an admin) may move or remove, and only onto a version in `stage`; {} when every alias is free',
    example: { champion: { stage: 'production', role: 'approver' } },
  })
  protectedAliases!: ProtectedAliases;
}

/** A model's approval policy as `GET/PUT /models/{name}/policy` return it. */
export class PolicyResponse {
  @ApiProperty({ description: 'Model name', example: 'fraud-detector' })
  model!: string;

  @ApiProperty({ type: ApprovalPolicyResponse })
  policy!: ApprovalPolicyResponse;
}

/** The registry-wide default policy as `GET/PUT /policy` return it. */
export class RegistryPolicyResponse {
  @ApiProperty({ type: ApprovalPolicyResponse, description: 'What every model without a policy of its own follows' })
  policy!: ApprovalPolicyResponse;
}
