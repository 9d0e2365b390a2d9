import { ApiProperty, ApiPropertyOptional, IntersectionType } from '@nestjs/swagger';
import { MODEL_PERMISSIONS, MODEL_VISIBILITIES, ROLES, STAGES, TRANSITION_STATUSES } from '@mreg/shared/contracts';
import type { ModelPermission, ModelVisibility, Role, Stage, TransitionStatus } from '@mreg/shared/contracts';

// The JSON the API returns, documented for OpenAPI: the renderers in resources.ts are typed by these classes, so
// a field added to one and not the other fails the typecheck.

/** When and by whom a model or version was created and last changed (the first and latest event of its stream). */
class ChangeStampsResponse {
  @ApiProperty({ format: 'date-time', example: '2026-03-01T10:15:30.000Z' }) createdAt!: string;
  @ApiProperty({ example: 'alice' }) createdBy!: string;
  @ApiProperty({ format: 'date-time', example: '2026-03-02T08:00:00.000Z' }) updatedAt!: string;
  @ApiProperty({ example: 'bob' }) updatedBy!: string;
}

export class GrantResponse {
  @ApiProperty({ description: '`user:<name>` or `group:<name>`', example: 'group:risk-team' }) subject!: string;
  @ApiProperty({ enum: MODEL_PERMISSIONS, enumName: 'ModelPermission', description: 'read < write < manage', example: 'write' }) permission!: ModelPermission;
}

/** Who may read, write and manage a model (decision 32). */
export class ModelAccessResponse {
  @ApiProperty({ enum: MODEL_VISIBILITIES, enumName: 'ModelVisibility', description: '`registry`: every authenticated caller may read it; `private`: only its grantees and admins', example: 'private' })
  visibility!: ModelVisibility;
  @ApiProperty({ type: [GrantResponse], description: 'Grants, by subject' }) grants!: GrantResponse[];
}

/** A registered model's own fields (the response adds its change stamps). */
class ModelFields {
  @ApiProperty({ description: 'Stable model id (survives renames)', example: '0f7d5f0e-3c1a-4d2b-9a57-2f5e8c1b7a10' }) id!: string;
  @ApiProperty({ example: 'fraud-detector' }) name!: string;
  @ApiProperty({ example: 'Scores card transactions for fraud' }) description!: string;
  @ApiProperty({ type: 'object', additionalProperties: { type: 'string' }, example: { team: 'risk' } }) tags!: Record<string, string>;
  @ApiProperty({ description: 'Alias → version number', type: 'object', additionalProperties: { type: 'integer' }, example: { champion: 3 } }) aliases!: Record<string, number>;
  @ApiProperty({ type: 'integer', nullable: true, description: 'Highest version number ever created; null before the first version', example: 3 }) latestVersion!: number | null;
  @ApiProperty({ type: 'integer', example: 3 }) versionCount!: number;
}

/** A registered model as the API returns it (rendered by `modelResource`). */
export class ModelResponse extends IntersectionType(ModelFields, ChangeStampsResponse) {}

/** A deleted model as it was when deleted, with when and by whom (rendered by `deletedModelResource`). */
export class DeletedModelResponse extends ModelResponse {
  @ApiProperty({ format: 'date-time', example: '2026-03-05T16:20:00.000Z' }) deletedAt!: string;
  @ApiProperty({ example: 'alice' }) deletedBy!: string;
}

export class DatasetResponse {
  @ApiProperty({ example: 'transactions-2026-q3' }) name!: string;
  @ApiProperty({ example: 's3://datasets/transactions/2026-q3.parquet' }) uri!: string;
  @ApiPropertyOptional({ example: 'sha256:9f86d081884c7d659a2feaa0c55ad015a3bf4f1b2b0b822cd15d6c15b0f00a08' }) digest?: string;
}

export class LineageResponse {
  @ApiProperty({ type: [DatasetResponse] }) datasets!: readonly DatasetResponse[];
  @ApiPropertyOptional({ example: 'https://git.example.com/risk/fraud.git' }) codeRepository?: string;
  @ApiPropertyOptional({ example: '3f2a9c1e7b' }) codeCommit?: string;
  @ApiPropertyOptional({ example: 'airflow://training/fraud-weekly' }) pipeline?: string;
}

export class VersionArtifactsSummary {
  @ApiProperty({ type: 'integer', description: 'Number of artifacts', example: 2 }) count!: number;
  @ApiProperty({ type: 'integer', description: 'Sum of their sizes in bytes', example: 1048576 }) totalBytes!: number;
  @ApiProperty({ description: 'True once the version left development: no more uploads', example: false }) sealed!: boolean;
}

/** A model version's own fields (the response adds its change stamps and when its stage changed). */
class VersionFields {
  @ApiProperty({ description: 'Model name', example: 'fraud-detector' }) model!: string;
  @ApiProperty({ example: '0f7d5f0e-3c1a-4d2b-9a57-2f5e8c1b7a10' }) modelId!: string;
  @ApiProperty({ type: 'integer', minimum: 1, example: 3 }) version!: number;
  @ApiProperty({ example: 'Retrained on Q3 data' }) description!: string;
  @ApiProperty({ enum: STAGES, enumName: 'Stage', example: 'staging' }) stage!: Stage;
  @ApiProperty({ enum: ['pending', 'ready'], example: 'ready', description: 'pending while files registered from the MLflow artifact store are being imported' }) status!: 'pending' | 'ready';
  @ApiProperty({ type: String, nullable: true, example: 's3://mlruns/42/artifacts/model' }) source!: string | null;
  @ApiProperty({ type: String, nullable: true, example: 'run-8c1f' }) runId!: string | null;
  @ApiProperty({ type: String, nullable: true, example: 'm-0d1c5e2f9a', description: 'The MLflow logged model the version was registered from' }) loggedModelId!: string | null;
  @ApiProperty({ type: 'object', additionalProperties: { type: 'string' }, example: { learning_rate: '0.01' } }) params!: Record<string, string>;
  @ApiProperty({ type: 'object', additionalProperties: { type: 'number' }, example: { auc: 0.93 } }) metrics!: Record<string, number>;
  @ApiProperty({ type: 'object', additionalProperties: { type: 'string' }, example: { team: 'risk' } }) tags!: Record<string, string>;
  @ApiProperty({ type: LineageResponse }) lineage!: LineageResponse;
  @ApiProperty({ type: 'object', additionalProperties: true, nullable: true, description: 'Input/output schema' }) signature!: Record<string, unknown> | null;
  @ApiProperty({ type: [String], example: ['champion'] }) aliases!: readonly string[];
  @ApiProperty({ type: VersionArtifactsSummary }) artifacts!: VersionArtifactsSummary;
}

/** A model version as the API returns it (rendered by `versionResource`). */
export class VersionResponse extends IntersectionType(VersionFields, ChangeStampsResponse) {
  @ApiProperty({ type: String, format: 'date-time', nullable: true, example: '2026-03-02T08:00:00.000Z' }) stageChangedAt!: string | null;
}

/** The rule a transition was requested under, and the rule of one stage in an approval policy. */
export class StageRuleResponse {
  @ApiProperty({ type: 'integer', minimum: 0, maximum: 10, example: 1 }) requiredApprovals!: number;
  @ApiProperty({ enum: ROLES, enumName: 'Role', example: 'approver' }) approverRole!: Role;
}

export class ApprovalResponse {
  @ApiProperty({ example: 'carol' }) by!: string;
  @ApiProperty({ format: 'date-time', example: '2026-03-02T09:00:00.000Z' }) at!: string;
  @ApiProperty({ example: 'metrics look good' }) comment!: string;
}

/** A stage-transition request as the API returns it (rendered by `transitionResource`). */
export class TransitionResponse {
  @ApiProperty({ format: 'uuid', example: '6a1b2c3d-4e5f-4a7b-8c9d-0e1f2a3b4c5d' }) id!: string;
  @ApiProperty({ description: 'Model name', example: 'fraud-detector' }) model!: string;
  @ApiProperty({ example: '0f7d5f0e-3c1a-4d2b-9a57-2f5e8c1b7a10' }) modelId!: string;
  @ApiProperty({ type: 'integer', minimum: 1, example: 3 }) version!: number;
  @ApiProperty({ enum: STAGES, enumName: 'Stage', example: 'staging' }) fromStage!: Stage;
  @ApiProperty({ enum: STAGES, enumName: 'Stage', example: 'production' }) toStage!: Stage;
  @ApiProperty({ enum: TRANSITION_STATUSES, enumName: 'TransitionStatus', example: 'pending' }) status!: TransitionStatus;
  @ApiProperty({ example: false }) archiveExisting!: boolean;
  @ApiProperty({ example: 'alice' }) requestedBy!: string;
  @ApiProperty({ format: 'date-time', example: '2026-03-02T08:00:00.000Z' }) requestedAt!: string;
  @ApiProperty({ example: 'promote after A/B test' }) comment!: string;
  @ApiProperty({ type: StageRuleResponse, description: 'The approval rule the request is subject to' }) policy!: StageRuleResponse;
  @ApiProperty({ type: [ApprovalResponse] }) approvals!: readonly ApprovalResponse[];
  @ApiProperty({ type: String, nullable: true, example: null }) decidedBy!: string | null;
  @ApiProperty({ type: String, format: 'date-time', nullable: true, example: null }) decidedAt!: string | null;
  @ApiProperty({ type: String, nullable: true, example: null }) decisionComment!: string | null;
  @ApiProperty({ type: String, format: 'date-time', nullable: true, example: null }) appliedAt!: string | null;
  @ApiProperty({ type: String, nullable: true, example: null }) failureReason!: string | null;
  @ApiProperty({ format: 'date-time', example: '2026-03-02T08:00:00.000Z' }) updatedAt!: string;
}

/** One event of a model's history (rendered by `historyEntryResource`). */
export class HistoryEntryResponse {
  @ApiProperty({ example: '7d9e4c1a-2b3f-4e5d-8a6b-9c0d1e2f3a4b' }) eventId!: string;
  @ApiProperty({ description: 'The model the event concerns (its id survives renames)', example: '0f7d5f0e-3c1a-4d2b-9a57-2f5e8c1b7a10' }) modelId!: string;
  @ApiProperty({ description: 'Event type', example: 'ModelVersionCreated' }) type!: string;
  @ApiProperty({ format: 'date-time', example: '2026-03-01T10:15:30.000Z' }) occurredAt!: string;
  @ApiProperty({ example: 'alice' }) actor!: string;
  @ApiProperty({ description: 'Event stream the event belongs to', example: 'model-0f7d5f0e-3c1a-4d2b-9a57-2f5e8c1b7a10' }) stream!: string;
  @ApiProperty({ type: 'integer', description: 'Position of the event in its stream', example: 0 }) revision!: number;
  @ApiProperty({ type: 'integer', nullable: true, description: 'The version the event concerns, if any', example: 3 }) version!: number | null;
  @ApiProperty({ example: '1c2d3e4f-5a6b-4c7d-8e9f-0a1b2c3d4e5f' }) correlationId!: string;
  @ApiProperty({ type: String, nullable: true, example: null }) causationId!: string | null;
  @ApiProperty({ type: 'object', additionalProperties: true, description: 'The event data' }) data!: Record<string, unknown>;
  @ApiProperty({ description: 'Hash of the event (chained with prevHash)', example: '5e884898da28047151d0e56f8dc6292773603d0d6aabbdd62a11ef721d1542d8' }) hash!: string;
  @ApiProperty({ example: '0000000000000000000000000000000000000000000000000000000000000000' }) prevHash!: string;
}
