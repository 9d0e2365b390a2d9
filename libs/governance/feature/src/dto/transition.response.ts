import { ApiProperty } from '@nestjs/swagger';
import { ROLES, STAGES, TRANSITION_STATUSES } from '@mreg/shared/contracts';
import type { Role, Stage, TransitionStatus } from '@mreg/shared/contracts';

/** The rule a transition was requested under, and the rule of one stage in an approval policy. */
export class StageRuleResponse {
  @ApiProperty({ type: 'integer', minimum: 0, maximum: 10, example: 1 })
  requiredApprovals!: number;

  @ApiProperty({ enum: ROLES, enumName: 'Role', example: 'approver' })
  approverRole!: Role;
}

export class ApprovalResponse {
  @ApiProperty({ example: 'carol' })
  by!: string;

  @ApiProperty({ format: 'date-time', example: '2026-03-02T09:00:00.000Z' })
  at!: string;

  @ApiProperty({ example: 'metrics look good' })
  comment!: string;
}

/** A stage-transition request as the API returns it (documentation only: mirrors `transitionResource`). */
export class TransitionResponse {
  @ApiProperty({ format: 'uuid', example: '6a1b2c3d-4e5f-4a7b-8c9d-0e1f2a3b4c5d' })
  id!: string;

  @ApiProperty({ description: 'Model name', example: 'fraud-detector' })
  model!: string;

  @ApiProperty({ example: '0f7d5f0e-3c1a-4d2b-9a57-2f5e8c1b7a10' })
  modelId!: string;

  @ApiProperty({ type: 'integer', minimum: 1, example: 3 })
  version!: number;

  @ApiProperty({ enum: STAGES, enumName: 'Stage', example: 'staging' })
  fromStage!: Stage;

  @ApiProperty({ enum: STAGES, enumName: 'Stage', example: 'production' })
  toStage!: Stage;

  @ApiProperty({ enum: TRANSITION_STATUSES, enumName: 'TransitionStatus', example: 'pending' })
  status!: TransitionStatus;

  @ApiProperty({ example: false })
  archiveExisting!: boolean;

  @ApiProperty({ example: 'alice' })
  requestedBy!: string;

  @ApiProperty({ format: 'date-time', example: '2026-03-02T08:00:00.000Z' })
  requestedAt!: string;

  @ApiProperty({ example: 'promote after A/B test' })
  comment!: string;

  @ApiProperty({ type: StageRuleResponse, description: 'The approval rule the request is subject to' })
  policy!: StageRuleResponse;

  @ApiProperty({ type: [ApprovalResponse] })
  approvals!: ApprovalResponse[];

  @ApiProperty({ type: String, nullable: true, example: null })
  decidedBy!: string | null;

  @ApiProperty({ type: String, format: 'date-time', nullable: true, example: null })
  decidedAt!: string | null;

  @ApiProperty({ type: String, nullable: true, example: null })
  decisionComment!: string | null;

  @ApiProperty({ type: String, format: 'date-time', nullable: true, example: null })
  appliedAt!: string | null;

  @ApiProperty({ type: String, nullable: true, example: null })
  failureReason!: string | null;

  @ApiProperty({ format: 'date-time', example: '2026-03-02T08:00:00.000Z' })
  updatedAt!: string;
}

/** One page of `GET /transitions`. */
export class TransitionPage {
  @ApiProperty({ type: [TransitionResponse] })
  items!: TransitionResponse[];

  @ApiProperty({ type: String, nullable: true, description: 'Pass as pageToken for the next page; null on the last page', example: null })
  nextPageToken!: string | null;
}
