import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import { IsInt, IsString, Max, Min } from 'class-validator';
import { IsModelName, IsTagMap, IsTagValue, IsText, MODEL_NAME_SCHEMA, OptionalBody, OptionalNotNull, STRING_MAP_SCHEMA, TAG_VALUE_SCHEMA, textSchema } from '@mreg/platform/runtime';
import type { NewModel } from '../model-registration';

export class CreateModelDto implements NewModel {
  @ApiProperty({ ...MODEL_NAME_SCHEMA, description: 'Unique (case-insensitive) model name: letters, digits, "_", "-", "."; 1..256 characters', example: 'fraud-detector' })
  @IsString()
  @IsModelName()
  name!: string;

  @ApiPropertyOptional(textSchema(5000, true))
  @OptionalNotNull()
  @IsString()
  @IsText(5000, { multiline: true })
  description?: string;

  @ApiPropertyOptional({ ...STRING_MAP_SCHEMA, example: { team: 'risk' } })
  @OptionalNotNull()
  @IsTagMap()
  tags?: Record<string, string>;
}

/** The use case's input from the request body. */
export function newModelOf(body: CreateModelDto): NewModel {
  return { name: body.name, description: body.description, tags: body.tags };
}

export class UpdateModelDto {
  @ApiPropertyOptional(textSchema(5000, true))
  @OptionalNotNull()
  @IsString()
  @IsText(5000, { multiline: true })
  description?: string;
}

export class RenameModelDto {
  @ApiProperty({ ...MODEL_NAME_SCHEMA, example: 'fraud-detector-v2' })
  @IsString()
  @IsModelName()
  newName!: string;
}

@OptionalBody()
export class RestoreModelDto {
  @ApiPropertyOptional({ ...MODEL_NAME_SCHEMA, description: 'The name to restore the model under; by default its name when it was deleted (409 ALREADY_EXISTS when another model holds it)', example: 'fraud-detector-restored' })
  @OptionalNotNull()
  @IsString()
  @IsModelName()
  name?: string;
}

export class SetTagDto {
  @ApiProperty(TAG_VALUE_SCHEMA)
  @IsString()
  @IsTagValue()
  value!: string;
}

export class SetAliasDto {
  @ApiProperty({ type: 'integer', minimum: 1, maximum: 999_999_999, example: 3 })
  @IsInt()
  @Min(1)
  @Max(999_999_999)
  version!: number;
}
