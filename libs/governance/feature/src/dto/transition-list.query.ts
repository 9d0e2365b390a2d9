import { ApiPropertyOptional } from '@nestjs/swagger';
import { IsOptional } from 'class-validator';
import { TRANSITION_STATUSES } from '@mreg/shared/contracts';
import type { TransitionStatus } from '@mreg/shared/contracts';
import { GivenOnce, IsModelName, IsOneOf, IsVersionNumber, ListQuery } from '@mreg/platform/runtime';

/** `GET /transitions`: a page of transition requests, optionally of one status, model or version. */
export class TransitionListQuery extends ListQuery {
  @ApiPropertyOptional({ enum: TRANSITION_STATUSES })
  @IsOptional()
  @GivenOnce()
  @IsOneOf(TRANSITION_STATUSES, 'status')
  status?: TransitionStatus;

  @ApiPropertyOptional({ description: 'A model name: its transitions only (none when no such model)' })
  @IsOptional()
  @GivenOnce()
  @IsModelName()
  model?: string;

  @ApiPropertyOptional({ type: 'integer', minimum: 1, description: 'A version number of the model' })
  @IsOptional()
  @GivenOnce()
  @IsVersionNumber()
  version?: number;
}
