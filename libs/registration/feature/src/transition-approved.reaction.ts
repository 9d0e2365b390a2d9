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
    // The stage change is done on behalf of whoever gave the deciding approval (causation links the two).
    await this.commands.applyApprovedTransition(data, {
      principal: { user: event.metadata.actor, roles: SYSTEM_PRINCIPAL.roles },
      correlationId: event.metadata.correlationId,
      causationId: event.metadata.eventId,
      ...(event.metadata.traceparent ? { traceparent: event.metadata.traceparent } : {}),
    });
  }
}
