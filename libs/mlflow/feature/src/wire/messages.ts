import { IntersectionType, PickType } from '@nestjs/swagger';
import { applyDecorators } from '@nestjs/common';
import { Transform, Type } from 'class-transformer';
import { ArrayMaxSize, IsArray, IsBoolean, IsInt, IsOptional, IsString, Matches, Max, Min } from 'class-validator';
import { IsAliasName, IsModelName, IsTagKey, IsTagValue, IsText, IsUri, MlflowMessage } from '@mreg/platform/runtime';
import { ListOf, Optional, toText } from './fields';

// The parts of MLflow's request messages every route shares. MLflow's messages drop fields they do not
// declare (MlflowMessage), but what they declare is checked with mreg's own grammars.

/** A version number as MLflow sends it: a decimal string (or a number). */
export const VERSION_TEXT = /^[1-9][0-9]{0,8}$/;
const VersionNumber = (): PropertyDecorator => applyDecorators(Transform(toText), IsString(), Matches(VERSION_TEXT, { message: 'version must be a positive integer' }));
/** A model's or version's description (as on `/api/v1`). */
const Description = (): PropertyDecorator => applyDecorators(IsOptional(), IsString(), IsText(5000, { multiline: true }));

@MlflowMessage()
export class MlflowTagMessage {
  @IsString()
  @IsTagKey()
  key!: string;

  @IsString()
  @IsTagValue()
  value!: string;
}

/** `{"name": …}` — every registered-model message. */
@MlflowMessage()
export class ModelNameMessage {
  @IsString()
  @IsModelName()
  name!: string;
}

/** `{"name", "version"}` — every model-version message. */
@MlflowMessage()
export class VersionMessage extends ModelNameMessage {
  @VersionNumber() version!: string;
}

/** A tag of a model or of a version: set names the tag, delete its key. */
@MlflowMessage()
export class SetModelTagMessage extends IntersectionType(ModelNameMessage, MlflowTagMessage) {}
@MlflowMessage()
export class DeleteModelTagMessage extends IntersectionType(ModelNameMessage, PickType(MlflowTagMessage, ['key'] as const)) {}
@MlflowMessage()
export class SetVersionTagMessage extends IntersectionType(VersionMessage, MlflowTagMessage) {}
@MlflowMessage()
export class DeleteVersionTagMessage extends IntersectionType(VersionMessage, PickType(MlflowTagMessage, ['key'] as const)) {}

@MlflowMessage()
export class CreateRegisteredModelMessage extends ModelNameMessage {
  @Optional(ListOf(() => MlflowTagMessage, 100)) tags?: MlflowTagMessage[];
  @Description() description?: string;
}

@MlflowMessage()
export class UpdateRegisteredModelMessage extends ModelNameMessage {
  @Description() description?: string;
}

@MlflowMessage()
export class RenameRegisteredModelMessage extends ModelNameMessage {
  @IsString()
  @IsModelName()
  new_name!: string;
}

@MlflowMessage()
export class SetAliasMessage extends ModelNameMessage {
  // MLflow reserves `v<digits>` (it reads as a version), on top of mreg's own alias grammar.
  @IsString()
  @IsAliasName()
  @Matches(/^(?!v[0-9]+$)/, { message: 'alias names of the form v<number> are reserved (they read as a version)' })
  alias!: string;

  @VersionNumber() version!: string;
}

@MlflowMessage()
export class AliasMessage extends ModelNameMessage {
  @IsString()
  @IsAliasName()
  alias!: string;
}

@MlflowMessage()
export class GetLatestVersionsMessage extends ModelNameMessage {
  @Optional(Transform(({ value }: { value: unknown }) => (typeof value === 'string' ? [value] : value)))
  @IsArray()
  @ArrayMaxSize(8)
  @IsString({ each: true })
  stages?: string[];
}

@MlflowMessage()
export class CreateModelVersionMessage extends ModelNameMessage {
  @IsString()
  @IsUri()
  source!: string;

  @IsOptional()
  @IsString()
  @Matches(/^[A-Za-z0-9_.:-]{0,128}$/, { message: 'run_id must be at most 128 letters, digits or _ . : -' })
  run_id?: string;

  @Optional(ListOf(() => MlflowTagMessage, 100)) tags?: MlflowTagMessage[];

  @IsOptional()
  @IsString()
  @IsText(2048)
  run_link?: string;

  @Description() description?: string;

  @IsOptional()
  @IsString()
  @Matches(/^[A-Za-z0-9_.:-]{0,128}$/, { message: 'model_id must be at most 128 letters, digits or _ . : -' })
  model_id?: string;
}

@MlflowMessage()
export class UpdateModelVersionMessage extends VersionMessage {
  @Description() description?: string;
}

@MlflowMessage()
export class TransitionStageMessage extends VersionMessage {
  @IsString()
  @Matches(/^[A-Za-z]{1,20}$/, { message: 'stage must be one of None, Staging, Production, Archived' })
  stage!: string;

  @IsOptional()
  @Transform(({ value }: { value: unknown }) => (value === 'true' ? true : value === 'false' ? false : value))
  @IsBoolean()
  archive_existing_versions?: boolean;
}

/** `filter`, `max_results`, `order_by` (repeatable), `page_token`: the query of both searches. */
@MlflowMessage()
export class SearchMessage {
  @IsOptional()
  @IsString()
  filter?: string;

  @IsOptional()
  @Type(() => Number)
  @IsInt({ message: 'max_results must be an integer' })
  @Min(1)
  @Max(1_000_000)
  max_results?: number;

  @IsOptional()
  @Transform(({ value }: { value: unknown }) => (typeof value === 'string' ? [value] : value))
  @IsArray()
  @ArrayMaxSize(20)
  @IsString({ each: true })
  order_by?: string[];

  @IsOptional()
  @IsString()
  page_token?: string;
}
