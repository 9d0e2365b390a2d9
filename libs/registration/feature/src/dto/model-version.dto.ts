import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import { Type } from 'class-transformer';
import { ArrayMaxSize, IsArray, IsObject, IsString, Matches, MaxLength, ValidateNested } from 'class-validator';
import { IsBoundedJsonObject, IsMetricMap, IsParamMap, IsTagMap, IsText, IsUri, METRIC_MAP_SCHEMA, OptionalNotNull, STRING_MAP_SCHEMA, URI_SCHEMA, textSchema } from '@mreg/platform/runtime';
import type { NewVersion } from '../version-registration';

/** Run ids of training runs: what `runId` accepts over HTTP and in training events. */
export const RUN_ID = /^[A-Za-z0-9][A-Za-z0-9_.:-]{0,127}$/;
export const RUN_ID_MESSAGE = 'runId must be 1..128 letters, digits or _ . : -';
// The grammars below are also the fields' published patterns (RegExp.source, no flags).
const DATASET_NAME = /^[A-Za-z0-9][A-Za-z0-9_.:/@+-]{0,255}$/;
const DATASET_DIGEST = /^[a-z0-9-]{2,16}:[A-Za-z0-9+/=_-]{8,256}$/;
const CODE_COMMIT = /^[0-9a-fA-F]{7,64}$/;

export class DatasetDto {
  @ApiProperty({ pattern: DATASET_NAME.source, example: 'transactions-2026-q3' })
  @IsString()
  @Matches(DATASET_NAME, { message: 'name must be 1..256 letters, digits or _ . : / @ + -' })
  name!: string;

  @ApiProperty({ ...URI_SCHEMA, example: 's3://datasets/transactions/2026-q3.parquet' })
  @IsString()
  @IsUri()
  uri!: string;

  @ApiPropertyOptional({ pattern: DATASET_DIGEST.source, example: 'sha256:9f86d081884c7d659a2feaa0c55ad015a3bf4f1b2b0b822cd15d6c15b0f00a08' })
  @OptionalNotNull()
  @IsString()
  @Matches(DATASET_DIGEST, { message: 'digest must look like "<algorithm>:<digest>", e.g. sha256:<hex>' })
  digest?: string;
}

export class LineageDto {
  @ApiPropertyOptional({ type: [DatasetDto], maxItems: 100 })
  @OptionalNotNull()
  @IsArray()
  @ArrayMaxSize(100)
  @ValidateNested({ each: true })
  @Type(() => DatasetDto)
  datasets?: DatasetDto[];

  @ApiPropertyOptional({ ...URI_SCHEMA, example: 'https://git.example.com/risk/fraud.git' })
  @OptionalNotNull()
  @IsString()
  @IsUri()
  codeRepository?: string;

  @ApiPropertyOptional({ pattern: CODE_COMMIT.source, example: '3f2a9c1e7b' })
  @OptionalNotNull()
  @IsString()
  @Matches(CODE_COMMIT, { message: 'codeCommit must be a 7..64 character hexadecimal commit id' })
  codeCommit?: string;

  @ApiPropertyOptional({ ...textSchema(512), example: 'airflow://training/fraud-weekly' })
  @OptionalNotNull()
  @IsString()
  @MaxLength(512)
  @IsText(512)
  pipeline?: string;
}

export class CreateModelVersionDto implements NewVersion {
  @ApiPropertyOptional(textSchema(5000, true))
  @OptionalNotNull()
  @IsString()
  @IsText(5000, { multiline: true })
  description?: string;

  @ApiPropertyOptional({ ...URI_SCHEMA, description: `Where the model came from. ${URI_SCHEMA.description}`, example: 's3://mlruns/42/artifacts/model' })
  @OptionalNotNull()
  @IsString()
  @IsUri()
  source?: string;

  @ApiPropertyOptional({ pattern: RUN_ID.source, example: 'run-8c1f' })
  @OptionalNotNull()
  @IsString()
  @Matches(RUN_ID, { message: RUN_ID_MESSAGE })
  runId?: string;

  @ApiPropertyOptional({ ...STRING_MAP_SCHEMA, example: { learning_rate: '0.01' } })
  @OptionalNotNull()
  @IsParamMap()
  params?: Record<string, string>;

  @ApiPropertyOptional({ ...METRIC_MAP_SCHEMA, example: { auc: 0.93 } })
  @OptionalNotNull()
  @IsMetricMap()
  metrics?: Record<string, number>;

  @ApiPropertyOptional(STRING_MAP_SCHEMA)
  @OptionalNotNull()
  @IsTagMap()
  tags?: Record<string, string>;

  @ApiPropertyOptional({ type: LineageDto })
  @OptionalNotNull()
  @IsObject()
  @ValidateNested()
  @Type(() => LineageDto)
  lineage?: LineageDto;

  @ApiPropertyOptional({ type: 'object', additionalProperties: true, description: 'Input/output schema (JSON, at most 64 KiB)' })
  @OptionalNotNull()
  @IsBoundedJsonObject(64 * 1024)
  signature?: Record<string, unknown>;
}

/** The use case's input from a validated body (or a training event's version facts). */
export function newVersionOf(body: Omit<CreateModelVersionDto, 'runId'> & { readonly runId?: string }): NewVersion {
  const { description, source, runId, params, metrics, tags, lineage, signature } = body;
  return { description, source, runId, params, metrics, tags, lineage, signature };
}

export class UpdateModelVersionDto {
  @ApiPropertyOptional(textSchema(5000, true))
  @OptionalNotNull()
  @IsString()
  @IsText(5000, { multiline: true })
  description?: string;
}
