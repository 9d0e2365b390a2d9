import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import { Type } from 'class-transformer';
import { ArrayMaxSize, IsArray, IsObject, IsString, Matches, MaxLength, ValidateNested } from 'class-validator';
import { IsBoundedJsonObject, IsMetricMap, IsParamMap, IsTagMap, IsText, IsUri, OptionalNotNull, STRING_MAP_SCHEMA, textSchema } from '@mreg/platform/runtime';
import type { NewVersion } from '../version-registration';

/** Run ids of training runs: what `runId` accepts over HTTP and in training events. */
export const RUN_ID = /^[A-Za-z0-9][A-Za-z0-9_.:-]{0,127}$/;
export const RUN_ID_MESSAGE = 'runId must be 1..128 letters, digits or _ . : -';

export class DatasetDto {
  @ApiProperty({ example: 'transactions-2026-q3' })
  @IsString()
  @Matches(/^[A-Za-z0-9][A-Za-z0-9_.:/@+-]{0,255}$/, { message: 'name must be 1..256 letters, digits or _ . : / @ + -' })
  name!: string;

  @ApiProperty({ example: 's3://datasets/transactions/2026-q3.parquet' })
  @IsString()
  @IsUri()
  uri!: string;

  @ApiPropertyOptional({ example: 'sha256:9f86d081884c7d659a2feaa0c55ad015a3bf4f1b2b0b822cd15d6c15b0f00a08' })
  @OptionalNotNull()
  @IsString()
  @Matches(/^[a-z0-9-]{2,16}:[A-Za-z0-9+/=_-]{8,256}$/, { message: 'digest must look like "<algorithm>:<digest>", e.g. sha256:<hex>' })
  digest?: string;
}

export class LineageDto {
  @ApiPropertyOptional({ type: [DatasetDto] })
  @OptionalNotNull()
  @IsArray()
  @ArrayMaxSize(100)
  @ValidateNested({ each: true })
  @Type(() => DatasetDto)
  datasets?: DatasetDto[];

  @ApiPropertyOptional({ example: 'https://git.example.com/risk/fraud.git' })
  @OptionalNotNull()
  @IsString()
  @IsUri()
  codeRepository?: string;

  @ApiPropertyOptional({ example: '3f2a9c1e7b' })
  @OptionalNotNull()
  @IsString()
  @Matches(/^[0-9a-f]{7,64}$/i, { message: 'codeCommit must be a 7..64 character hexadecimal commit id' })
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

  @ApiPropertyOptional({ description: 'Where the model came from (URI)', example: 's3://mlruns/42/artifacts/model' })
  @OptionalNotNull()
  @IsString()
  @IsUri()
  source?: string;

  @ApiPropertyOptional({ example: 'run-8c1f' })
  @OptionalNotNull()
  @IsString()
  @Matches(RUN_ID, { message: RUN_ID_MESSAGE })
  runId?: string;

  @ApiPropertyOptional({ ...STRING_MAP_SCHEMA, example: { learning_rate: '0.01' } })
  @OptionalNotNull()
  @IsParamMap()
  params?: Record<string, string>;

  @ApiPropertyOptional({ type: 'object', maxProperties: 200, additionalProperties: { type: 'number' }, example: { auc: 0.93 } })
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
