import { IntersectionType, OmitType } from '@nestjs/swagger';
import { IsString, Matches } from 'class-validator';
import { IsModelName } from '@mreg/platform/runtime';
import type { TrainingRun } from '../training-run-intake';
import { CreateModelVersionDto, RUN_ID, RUN_ID_MESSAGE, newVersionOf } from './model-version.dto';

/** What names the run: the model (created when missing) and the run id, which is required here. */
class TrainingRunIdentityDto {
  @IsString()
  @IsModelName()
  model!: string;

  @IsString()
  @Matches(RUN_ID, { message: RUN_ID_MESSAGE })
  runId!: string;
}

/**
 * The data of a TrainingRunCompleted event (`TrainingRunCompletedV1` and its JSON Schema in contracts): the
 * version's facts exactly as `POST /models/{name}/versions` validates them, plus the model name and a required
 * run id.
 */
export class TrainingRunCompletedDto extends IntersectionType(TrainingRunIdentityDto, OmitType(CreateModelVersionDto, ['runId'] as const)) {}

/** The intake's input from a validated TrainingRunCompleted event. */
export function trainingRunOf(data: TrainingRunCompletedDto): TrainingRun {
  return { ...newVersionOf(data), model: data.model, runId: data.runId };
}
