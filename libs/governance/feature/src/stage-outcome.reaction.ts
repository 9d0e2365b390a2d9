import { Injectable } from '@nestjs/common';
import { TOPICS, streams } from '@mreg/shared/contracts';
import type { ModelVersionStageChangeRefused, ModelVersionStageChanged, RecordedEvent, TransitionCancelled, TransitionRejected } from '@mreg/shared/contracts';
import { transitionDecider } from '@mreg/governance/domain';
import { EventSourcedRepository, SYSTEM_PRINCIPAL } from '@mreg/platform/runtime';
import type { CommandContext, Reaction } from '@mreg/platform/runtime';
import { GovernanceCommands } from './governance.commands';

/** Closes the loop: registration's stage change (or refusal) marks the transition applied (or failed). */
@Injectable()
export class StageOutcomeReaction implements Reaction {
  readonly name = 'governance.record-stage-outcome';
  readonly topics = [TOPICS.registrationEvents, TOPICS.governanceEvents];

  constructor(
    private readonly commands: GovernanceCommands,
    private readonly repository: EventSourcedRepository,
  ) {}

  async handle(event: RecordedEvent): Promise<void> {
    const ctx: CommandContext = {
      principal: { user: event.metadata.actor, roles: SYSTEM_PRINCIPAL.roles },
      correlationId: event.metadata.correlationId,
      causationId: event.metadata.eventId,
      ...(event.metadata.traceparent ? { traceparent: event.metadata.traceparent } : {}),
    };
    switch (event.type) {
      case 'ModelVersionStageChanged': {
        const data = event.data as ModelVersionStageChanged['data'];
        if (data.reason === 'requested') await this.commands.recordOutcome(data.transitionId, { applied: true }, ctx);
        return;
      }
      case 'ModelVersionStageChangeRefused': {
        const data = event.data as ModelVersionStageChangeRefused['data'];
        await this.commands.recordOutcome(data.transitionId, { applied: false, reason: data.reason }, ctx);
        return;
      }
      case 'TransitionRejected':
      case 'TransitionCancelled': {
        // Normally closed in the request itself; this covers a crash between the two appends.
        const data = event.data as (TransitionRejected | TransitionCancelled)['data'];
        const loaded = await this.repository.load(streams.transition(data.transitionId), transitionDecider);
        await this.commands.closeSlot(loaded.state, ctx);
        return;
      }
      default:
        return;
    }
  }
}
