import { Injectable } from '@nestjs/common';
import { TOPICS } from '@mreg/shared/contracts';
import type { RecordedEvent, TransitionApproved } from '@mreg/shared/contracts';
import { SYSTEM_PRINCIPAL } from '@mreg/platform/runtime';
import type { Reaction } from '@mreg/platform/runtime';
import { RegistrationCommands } from './registration.commands';

/** Governance decided; registration moves the version (ModelVersionStageChanged or ...Refused). */
@Injectable()
export class TransitionApprovedReaction implements Reaction {
  readonly name = 'registration.apply-approved-transition';
  readonly topics = [TOPICS.governanceEvents];

  constructor(private readonly commands: RegistrationCommands) {}

  async handle(event: RecordedEvent): Promise<void> {
    if (event.type !== 'TransitionApproved') return;
    const data = event.data as TransitionApproved['data'];
    await this.commands.applyApprovedTransition(data, {
      principal: SYSTEM_PRINCIPAL,
      correlationId: event.metadata.correlationId,
      causationId: event.metadata.eventId,
      ...(event.metadata.traceparent ? { traceparent: event.metadata.traceparent } : {}),
    });
  }
}
