import { ApiProperty, ApiPropertyOptional, OmitType, PickType } from '@nestjs/swagger';
import { STAGES, TRANSITION_STATUSES } from '@mreg/shared/contracts';
import type { Stage } from '@mreg/shared/contracts';
import { ApprovalResponse, DatasetResponse, DeletedModelResponse, HistoryEntryResponse, ModelAccessResponse, ModelResponse, VersionResponse } from '@mreg/audit/read-models';

const NEXT_PAGE_TOKEN = { type: String, nullable: true, description: 'Pass as pageToken for the next page; null on the last page', example: null } as const;

/** One page of `GET /models`. */
export class ModelPage {
  @ApiProperty({ type: [ModelResponse] }) items!: ModelResponse[];
  @ApiProperty(NEXT_PAGE_TOKEN) nextPageToken!: string | null;
}

/** One page of `GET /deleted-models`. */
export class DeletedModelPage {
  @ApiProperty({ type: [DeletedModelResponse] }) items!: DeletedModelResponse[];
  @ApiProperty(NEXT_PAGE_TOKEN) nextPageToken!: string | null;
}

/** One page of `GET /versions` and `GET /models/{name}/versions`. */
export class VersionPage {
  @ApiProperty({ type: [VersionResponse] }) items!: VersionResponse[];
  @ApiProperty(NEXT_PAGE_TOKEN) nextPageToken!: string | null;
}

/** One page of a model's or version's history. */
export class HistoryPage {
  @ApiProperty({ type: [HistoryEntryResponse] }) items!: HistoryEntryResponse[];
  @ApiProperty(NEXT_PAGE_TOKEN) nextPageToken!: string | null;
}

/** `GET /models/{name}/aliases/{alias}`: the alias and the version it names. */
export class AliasResolutionResponse {
  @ApiProperty({ example: 'champion' }) alias!: string;
  @ApiProperty({ type: VersionResponse }) version!: VersionResponse;
}

/** `GET /models/{name}?asOf=`: the model as it was at an instant, replayed from the log. */
export class ModelAsOfResponse extends OmitType(ModelResponse, ['versionCount'] as const) {
  @ApiProperty({ type: ModelAccessResponse, description: 'Who could read, write and manage the model at that instant' }) access!: ModelAccessResponse;
  @ApiProperty({ format: 'date-time', description: 'The instant asked for', example: '2026-03-02T00:00:00.000Z' }) asOf!: string;
  @ApiProperty({ type: 'integer', description: 'Revision of the model stream at that instant', example: 4 }) revision!: number;
}

export class ArtifactFileResponse {
  @ApiProperty({ example: 'model/weights.bin' }) path!: string;
  @ApiProperty({ type: 'integer', example: 1048576 }) size!: number;
  @ApiProperty({ example: '9f86d081884c7d659a2feaa0c55ad015a3bf4f1b2b0b822cd15d6c15b0f00a08' }) sha256!: string;
}

export class ArtifactFileTypedResponse extends ArtifactFileResponse {
  @ApiProperty({ example: 'application/octet-stream' }) contentType!: string;
}

/** `GET /models/{name}/versions/{version}?asOf=`: the version as it was at an instant, replayed from the log. */
export class VersionAsOfResponse extends OmitType(VersionResponse, ['status', 'artifacts', 'stageChangedAt'] as const) {
  @ApiProperty({ type: [ArtifactFileTypedResponse], description: 'The manifest at that instant' }) artifacts!: ArtifactFileTypedResponse[];
  @ApiProperty({ format: 'date-time', description: 'The instant asked for', example: '2026-03-02T00:00:00.000Z' }) asOf!: string;
  @ApiProperty({ type: 'integer', description: 'Revision of the version stream at that instant', example: 2 }) revision!: number;
}

export class ProvenanceTrainingResponse {
  @ApiProperty({ type: String, nullable: true, example: 'run-8c1f' }) runId!: string | null;
  @ApiProperty({ type: String, nullable: true, example: 'm-0d1c5e2f9a', description: 'The MLflow logged model the version was registered from' }) loggedModelId!: string | null;
  @ApiProperty({ type: String, nullable: true, example: 's3://mlruns/42/artifacts/model' }) source!: string | null;
  @ApiProperty({ type: String, nullable: true, example: 'airflow://training/fraud-weekly' }) pipeline!: string | null;
  @ApiProperty({ type: 'object', additionalProperties: { type: 'string' } }) params!: Record<string, string>;
  @ApiProperty({ type: 'object', additionalProperties: { type: 'number' } }) metrics!: Record<string, number>;
}

export class ProvenanceCodeResponse {
  @ApiProperty({ type: String, nullable: true, example: 'https://git.example.com/risk/fraud.git' }) repository!: string | null;
  @ApiProperty({ type: String, nullable: true, example: '3f2a9c1e7b' }) commit!: string | null;
}

export class StageChangeResponse {
  @ApiProperty({ enum: STAGES, enumName: 'Stage', example: 'staging' }) from!: Stage;
  @ApiProperty({ enum: STAGES, enumName: 'Stage', example: 'production' }) to!: Stage;
  @ApiProperty({ format: 'date-time' }) at!: string;
  @ApiProperty({ enum: ['requested', 'archived-existing'], description: "'archived-existing' when another version's promotion archived this one" }) reason!: 'requested' | 'archived-existing';
  @ApiProperty({ format: 'uuid' }) transitionId!: string;
  @ApiProperty({ type: String, nullable: true }) requestedBy!: string | null;
  @ApiProperty({ type: String, format: 'date-time', nullable: true }) requestedAt!: string | null;
  @ApiProperty({ type: String, nullable: true }) comment!: string | null;
  @ApiProperty({ type: 'integer', nullable: true }) requiredApprovals!: number | null;
  @ApiProperty({ type: [ApprovalResponse] }) approvals!: ApprovalResponse[];
}

export class TransitionRequestSummary {
  @ApiProperty({ format: 'uuid' }) transitionId!: string;
  @ApiProperty({ enum: STAGES, enumName: 'Stage' }) fromStage!: Stage;
  @ApiProperty({ enum: STAGES, enumName: 'Stage' }) toStage!: Stage;
  @ApiProperty({ enum: TRANSITION_STATUSES, enumName: 'TransitionStatus' }) status!: (typeof TRANSITION_STATUSES)[number];
  @ApiProperty({ example: 'alice' }) requestedBy!: string;
  @ApiProperty({ type: [String], example: ['carol'] }) approvers!: string[];
  @ApiProperty({ type: String, nullable: true }) closedBy!: string | null;
}

export class ProvenanceIntegrityResponse {
  @ApiProperty({ description: 'Every hash chain read is intact', example: true }) verified!: boolean;
  @ApiProperty({ type: 'integer', example: 4 }) streamsChecked!: number;
}

/** `GET /models/{name}/versions/{version}/provenance`: data, code, run, artifacts and the approval chain. */
export class ProvenanceResponse extends PickType(VersionResponse, ['model', 'modelId', 'version'] as const) {
  @ApiProperty({ enum: STAGES, enumName: 'Stage', example: 'production' }) stage!: Stage;
  @ApiProperty({ format: 'date-time' }) registeredAt!: string;
  @ApiProperty({ example: 'alice' }) registeredBy!: string;
  @ApiProperty({ type: ProvenanceTrainingResponse }) training!: ProvenanceTrainingResponse;
  @ApiProperty({ type: [DatasetResponse] }) datasets!: DatasetResponse[];
  @ApiProperty({ type: ProvenanceCodeResponse }) code!: ProvenanceCodeResponse;
  @ApiProperty({ type: [ArtifactFileResponse] }) artifacts!: ArtifactFileResponse[];
  @ApiProperty({ type: [StageChangeResponse] }) stageHistory!: StageChangeResponse[];
  @ApiProperty({ type: [TransitionRequestSummary] }) transitionRequests!: TransitionRequestSummary[];
  @ApiProperty({ type: ProvenanceIntegrityResponse }) integrity!: ProvenanceIntegrityResponse;
}

export class StreamIntegrityResponse {
  @ApiProperty({ example: 'model-0f7d5f0e-3c1a-4d2b-9a57-2f5e8c1b7a10' }) stream!: string;
  @ApiProperty({ type: 'integer', example: 5 }) events!: number;
  @ApiProperty({ example: true }) valid!: boolean;
  @ApiPropertyOptional({ type: 'integer', description: 'Index of the first event whose hash does not chain (only when invalid)', example: 2 }) brokenAt?: number;
}

/** `GET /models/{name}/integrity`: every hash chain of a model's streams, recomputed. */
export class IntegrityResponse extends PickType(VersionResponse, ['model', 'modelId'] as const) {
  @ApiProperty({ description: 'Every chain is intact', example: true }) valid!: boolean;
  @ApiProperty({ type: 'integer', description: 'Events checked', example: 12 }) events!: number;
  @ApiProperty({ type: [StreamIntegrityResponse] }) streams!: StreamIntegrityResponse[];
}
