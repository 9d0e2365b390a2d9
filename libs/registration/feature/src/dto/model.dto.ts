import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import { IsInt, IsString, Max, Min } from 'class-validator';
import { IsModelName, IsTagMap, IsTagValue, IsText, OptionalNotNull } from '@mreg/platform/runtime';
import type { NewModel } from '../model-registration';

export class CreateModelDto implements NewModel {
  @ApiProperty({ description: 'Unique (case-insensitive) model name: letters, digits, "_", "-", "."; 1..256 characters', example: 'fraud-detector' })
  @IsString()
  @IsModelName()
  name!: string;

  @ApiPropertyOptional({ maxLength: 5000 })
  @OptionalNotNull()
  @IsString()
  @IsText(5000, { multiline: true })
  description?: string;

  @ApiPropertyOptional({ type: 'object', additionalProperties: { type: 'string' }, example: { team: 'risk' } })
  @OptionalNotNull()
  @IsTagMap()
  tags?: Record<string, string>;
}

/** The use case's input from the request body. */
export function newModelOf(body: CreateModelDto): NewModel {
  return { name: body.name, description: body.description, tags: body.tags };
}

export class UpdateModelDto {
  @ApiPropertyOptional({ maxLength: 5000 })
  @OptionalNotNull()
  @IsString()
  @IsText(5000, { multiline: true })
  description?: string;
}

export class RenameModelDto {
  @ApiProperty({ example: 'fraud-detector-v2' })
  @IsString()
  @IsModelName()
  newName!: string;
}

export class SetTagDto {
  @ApiProperty({ maxLength: 5000 })
  @IsString()
  @IsTagValue()
  value!: string;
}

export class SetAliasDto {
  @ApiProperty({ minimum: 1, example: 3 })
  @IsInt()
  @Min(1)
  @Max(999_999_999)
  version!: number;
}
