import { Injectable } from '@nestjs/common';
import { TOPICS } from '@mreg/shared/contracts';
import type { RecordedEvent, TransitionApproved } from '@mreg/shared/contracts';
import { SYSTEM_PRINCIPAL } from '@mreg/platform/runtime';
import type { Reaction } from '@mreg/platform/runtime';
import { StageApplication } from './stage-application';

/** Governance decided; registration moves the version (ModelVersionStageChanged or ...Refused). */
@Injectable()
export class TransitionApprovedReaction implements Reaction {
  readonly name = 'registration.apply-approved-transition';
  readonly topics = [TOPICS.governanceEvents];

  constructor(private readonly stages: StageApplication) {}

  async handle(event: RecordedEvent): Promise<void> {
    if (event.type !== 'TransitionApproved') return;
    const data = event.data as TransitionApproved['data'];
    // The stage change is done on behalf of whoever gave the deciding approval (causation links the two).
    await this.stages.apply(data, {
      principal: { user: event.metadata.actor, roles: SYSTEM_PRINCIPAL.roles },
      correlationId: event.metadata.correlationId,
      causationId: event.metadata.eventId,
      ...(event.metadata.traceparent ? { traceparent: event.metadata.traceparent } : {}),
    });
  }
}
