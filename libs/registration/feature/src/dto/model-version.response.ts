import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import { STAGES } from '@mreg/shared/contracts';
import type { Stage } from '@mreg/shared/contracts';
import { ModelResponse } from './model.response';

export class DatasetResponse {
  @ApiProperty({ example: 'transactions-2026-q3' })
  name!: string;

  @ApiProperty({ example: 's3://datasets/transactions/2026-q3.parquet' })
  uri!: string;

  @ApiPropertyOptional({ example: 'sha256:9f86d081884c7d659a2feaa0c55ad015a3bf4f1b2b0b822cd15d6c15b0f00a08' })
  digest?: string;
}

export class LineageResponse {
  @ApiProperty({ type: [DatasetResponse] })
  datasets!: DatasetResponse[];

  @ApiPropertyOptional({ example: 'https://git.example.com/risk/fraud.git' })
  codeRepository?: string;

  @ApiPropertyOptional({ example: '3f2a9c1e7b' })
  codeCommit?: string;

  @ApiPropertyOptional({ example: 'airflow://training/fraud-weekly' })
  pipeline?: string;
}

export class VersionArtifactsSummary {
  @ApiProperty({ type: 'integer', description: 'Number of artifacts', example: 2 })
  count!: number;

  @ApiProperty({ type: 'integer', description: 'Sum of their sizes in bytes', example: 1048576 })
  totalBytes!: number;

  @ApiProperty({ description: 'True once the version left development: no more uploads', example: false })
  sealed!: boolean;
}

/** A model version as the API returns it (documentation only: mirrors `versionResource`). */
export class VersionResponse {
  @ApiProperty({ description: 'Model name', example: 'fraud-detector' })
  model!: string;

  @ApiProperty({ example: '0f7d5f0e-3c1a-4d2b-9a57-2f5e8c1b7a10' })
  modelId!: string;

  @ApiProperty({ type: 'integer', minimum: 1, example: 3 })
  version!: number;

  @ApiProperty({ example: 'Retrained on Q3 data' })
  description!: string;

  @ApiProperty({ enum: STAGES, enumName: 'Stage', example: 'staging' })
  stage!: Stage;

  @ApiProperty({ enum: ['pending', 'ready'], example: 'ready', description: 'pending while files registered from the MLflow artifact store are being imported' })
  status!: 'pending' | 'ready';

  @ApiProperty({ type: String, nullable: true, example: 's3://mlruns/42/artifacts/model' })
  source!: string | null;

  @ApiProperty({ type: String, nullable: true, example: 'run-8c1f' })
  runId!: string | null;

  @ApiProperty({ type: String, nullable: true, example: 'm-0d1c5e2f9a', description: 'The MLflow logged model the version was registered from' })
  loggedModelId!: string | null;

  @ApiProperty({ type: 'object', additionalProperties: { type: 'string' }, example: { learning_rate: '0.01' } })
  params!: Record<string, string>;

  @ApiProperty({ type: 'object', additionalProperties: { type: 'number' }, example: { auc: 0.93 } })
  metrics!: Record<string, number>;

  @ApiProperty({ type: 'object', additionalProperties: { type: 'string' }, example: { team: 'risk' } })
  tags!: Record<string, string>;

  @ApiProperty({ type: LineageResponse })
  lineage!: LineageResponse;

  @ApiProperty({ type: 'object', additionalProperties: true, nullable: true, description: 'Input/output schema' })
  signature!: Record<string, unknown> | null;

  @ApiProperty({ type: [String], example: ['champion'] })
  aliases!: string[];

  @ApiProperty({ type: VersionArtifactsSummary })
  artifacts!: VersionArtifactsSummary;

  @ApiProperty({ format: 'date-time', example: '2026-03-01T10:15:30.000Z' })
  createdAt!: string;

  @ApiProperty({ example: 'alice' })
  createdBy!: string;

  @ApiProperty({ format: 'date-time', example: '2026-03-02T08:00:00.000Z' })
  updatedAt!: string;

  @ApiProperty({ example: 'bob' })
  updatedBy!: string;

  @ApiProperty({ type: String, format: 'date-time', nullable: true, example: '2026-03-02T08:00:00.000Z' })
  stageChangedAt!: string | null;
}

/** `PUT /models/{name}/aliases/{alias}`: the alias, the version it now names and the model. */
export class AliasAssignmentResponse {
  @ApiProperty({ example: 'champion' })
  alias!: string;

  @ApiProperty({ type: VersionResponse })
  version!: VersionResponse;

  @ApiProperty({ type: ModelResponse })
  model!: ModelResponse;
}
