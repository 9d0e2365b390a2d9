import { Injectable } from '@nestjs/common';
import { APPROVAL_COMMAND_REJECTED_V1_TYPE, APPROVAL_COMMAND_V1, isDomainError, streams } from '@mreg/shared/contracts';
import type { ApprovalCommandV1 } from '@mreg/shared/contracts';
import type { InboundMessage } from '@mreg/platform/event-bus';
import { EventSourcedRepository, InboundGate } from '@mreg/platform/runtime';
import type { CommandContext, InboundConsumer, InboundEndpoint } from '@mreg/platform/runtime';
import { ApprovalCommandDto } from './dto/transition.dto';
import { GovernanceCommands } from './governance.commands';

/** Read-store collection of the command ids already handled or refused (per principal). */
export const PROCESSED_COMMANDS_COLLECTION = 'processed_commands';

const ENDPOINT: InboundEndpoint = {
  type: APPROVAL_COMMAND_V1.type,
  // The roles of POST /transitions/{id}/approve|reject|cancel; the policy rules then apply in the domain.
  roles: ['contributor', 'approver'],
  rejections: { topic: APPROVAL_COMMAND_V1.rejectionsTopic, type: APPROVAL_COMMAND_REJECTED_V1_TYPE, source: '/mreg/governance' },
  dedupe: { collection: PROCESSED_COMMANDS_COLLECTION },
};

/**
 * Governance tooling's approval commands: approve, reject or cancel a transition request as the principal of
 * the message's token, exactly as over HTTP. A command id (the CloudEvents id) is acted on once: a redelivery
 * changes nothing and is not answered a second time. Refusals go to `mreg.governance.command-rejections.v1`.
 */
@Injectable()
export class ApprovalCommandConsumer implements InboundConsumer {
  readonly group = 'mreg.governance.commands';
  readonly topics = [APPROVAL_COMMAND_V1.topic];

  constructor(
    private readonly gate: InboundGate,
    private readonly commands: GovernanceCommands,
    private readonly repository: EventSourcedRepository,
  ) {}

  async handle(message: InboundMessage): Promise<void> {
    await this.gate.process(message, ENDPOINT, async ({ event, context }) => {
      // Typed as both: the validated DTO must be an ApprovalCommandV1 (the compiler checks the contract).
      const command: ApprovalCommandV1 & ApprovalCommandDto = await this.gate.validate(ApprovalCommandDto, event.data);
      try {
        await this.decide(command, context);
      } catch (error) {
        // Decided before a crash that came before the id was remembered: the redelivery finds its own events.
        if (isDomainError(error) && (await this.alreadyDecided(command.transitionId, context))) return;
        throw error;
      }
    });
  }

  private decide(command: ApprovalCommandV1, ctx: CommandContext): Promise<void> {
    const comment = command.comment ?? '';
    switch (command.command) {
      case 'approve':
        return this.commands.approve(command.transitionId, comment, ctx);
      case 'reject':
        return this.commands.reject(command.transitionId, comment, ctx);
      case 'cancel':
        return this.commands.cancel(command.transitionId, comment, ctx);
      default: {
        const unknown: never = command.command;
        throw new Error(`unknown approval command ${String(unknown)}`);
      }
    }
  }

  /** Whether the transition already carries an event of this command (same correlation id and principal). */
  private async alreadyDecided(transitionId: string, ctx: CommandContext): Promise<boolean> {
    const events = await this.repository.events(streams.transition(transitionId));
    return events.some((e) => e.metadata.correlationId === ctx.correlationId && e.metadata.actor === ctx.principal.user);
  }
}
