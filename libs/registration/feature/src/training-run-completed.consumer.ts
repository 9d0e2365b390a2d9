import { Injectable } from '@nestjs/common';
import { TRAINING_RUN_COMPLETED_V1, TRAINING_RUN_REJECTED_V1_TYPE } from '@mreg/shared/contracts';
import type { TrainingRunCompletedV1 } from '@mreg/shared/contracts';
import type { InboundMessage } from '@mreg/platform/event-bus';
import { InboundGate } from '@mreg/platform/runtime';
import type { InboundConsumer, InboundEndpoint } from '@mreg/platform/runtime';
import { TrainingRunCompletedDto, trainingRunOf } from './dto/training-run-completed.dto';
import { TrainingRunIntake } from './training-run-intake';

const ENDPOINT: InboundEndpoint = {
  type: TRAINING_RUN_COMPLETED_V1.type,
  // Registering a model or a version over HTTP needs a contributor.
  roles: ['contributor'],
  rejections: { topic: TRAINING_RUN_COMPLETED_V1.rejectionsTopic, type: TRAINING_RUN_REJECTED_V1_TYPE, source: '/mreg/registration' },
};

/**
 * Training pipelines' `TrainingRunCompleted` events: each registers a version (and the model when it is new) as
 * the principal of the message's token, once per (model, run id). Refusals go to `mreg.training.rejections.v1`.
 */
@Injectable()
export class TrainingRunCompletedConsumer implements InboundConsumer {
  readonly group = 'mreg.registration.training';
  readonly topics = [TRAINING_RUN_COMPLETED_V1.topic];

  constructor(
    private readonly gate: InboundGate,
    private readonly intake: TrainingRunIntake,
  ) {}

  async handle(message: InboundMessage): Promise<void> {
    await this.gate.process(message, ENDPOINT, async ({ event, context }) => {
      // Typed as both: the validated DTO must be a TrainingRunCompletedV1 (the compiler checks the contract).
      const run: TrainingRunCompletedV1 & TrainingRunCompletedDto = await this.gate.validate(TrainingRunCompletedDto, event.data);
      await this.intake.register(trainingRunOf(run), context);
    });
  }
}
