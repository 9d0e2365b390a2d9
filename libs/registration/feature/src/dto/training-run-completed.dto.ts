import { IntersectionType, OmitType } from '@nestjs/swagger';
import { IsString, Matches } from 'class-validator';
import type { Assert, SameKeys, TrainingRunCompletedV1 } from '@mreg/shared/contracts';
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
 * The data of a TrainingRunCompleted event: the version's facts exactly as `POST /models/{name}/versions`
 * validates them, plus the model name and a required run id. Checked against `TrainingRunCompletedV1` (the one
 * definition of the message) by the compiler — the same fields, each assignable.
 */
export class TrainingRunCompletedDto extends IntersectionType(TrainingRunIdentityDto, OmitType(CreateModelVersionDto, ['runId'] as const)) implements TrainingRunCompletedV1 {}
export type TrainingRunCompletedDtoFields = Assert<SameKeys<TrainingRunCompletedDto, TrainingRunCompletedV1>>;

/** The intake's input from a validated TrainingRunCompleted event. */
export function trainingRunOf(data: TrainingRunCompletedDto): TrainingRun {
  return { ...newVersionOf(data), model: data.model, runId: data.runId };
}
