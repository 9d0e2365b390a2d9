import { ApiProperty } from '@nestjs/swagger';
import { StageRuleResponse } from '@mreg/audit/read-models';

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
