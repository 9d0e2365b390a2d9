import { ApiPropertyOptional } from '@nestjs/swagger';
import { IsOptional } from 'class-validator';
import { TRANSITION_STATUSES } from '@mreg/shared/contracts';
import type { TransitionStatus } from '@mreg/shared/contracts';
import { GivenOnce, IsModelName, IsOneOf, IsVersionNumber, ListQuery, MODEL_NAME_SCHEMA } from '@mreg/platform/runtime';

/** `GET /transitions`: a page of transition requests, optionally of one status, model or version. */
export class TransitionListQuery extends ListQuery {
  @ApiPropertyOptional({ enum: TRANSITION_STATUSES })
  @IsOptional()
  @GivenOnce()
  @IsOneOf(TRANSITION_STATUSES, 'status')
  status?: TransitionStatus;

  @ApiPropertyOptional({ ...MODEL_NAME_SCHEMA, description: 'A model name: its transitions only (none when no such model)' })
  @IsOptional()
  @GivenOnce()
  @IsModelName()
  model?: string;

  @ApiPropertyOptional({ type: 'integer', minimum: 1, maximum: 999_999_999, description: 'A version number of the model' })
  @IsOptional()
  @GivenOnce()
  @IsVersionNumber()
  version?: number;
}
