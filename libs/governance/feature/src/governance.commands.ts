import { randomUUID } from 'node:crypto';
import { setTimeout as sleep } from 'node:timers/promises';
import { Injectable } from '@nestjs/common';
import { DEFAULT_APPROVAL_POLICY, DomainError, streams } from '@mreg/shared/contracts';
import type { ApprovalPolicy, Stage, TransitionEvent } from '@mreg/shared/contracts';
import { approvalPolicyDecider, ruleForMove, transitionDecider, versionTransitionsDecider } from '@mreg/governance/domain';
import type { TransitionState } from '@mreg/governance/domain';
import { EventSourcedRepository, recordWrite } from '@mreg/platform/runtime';
import { ModelLookup } from '@mreg/registration/catalog';
import type { CommandContext } from '@mreg/platform/runtime';

export interface TransitionInput {
  readonly stage: Stage;
  readonly comment?: string;
  readonly archiveExisting?: boolean;
}

const SETTLE_TIMEOUT_MS = 5000;

/**
 * The registry-wide default policy is kept as the policy of this pseudo-model id (stream `policy-default`):
 * the same decider, events and history as a model's policy. Model ids are UUIDs, so it meets no model.
 */
export const REGISTRY_POLICY_ID = 'default';

/** Governance use cases: transition requests under approval policies. */
@Injectable()
export class GovernanceCommands {
  constructor(
    private readonly repository: EventSourcedRepository,
    private readonly lookup: ModelLookup,
  ) {}

  /** The policy in force for a model: its own once set, else the registry-wide default. */
  async policyOf(modelId: string): Promise<ApprovalPolicy> {
    const own = (await this.repository.load(streams.policy(modelId), approvalPolicyDecider)).state;
    return own.customized ? own.policy : this.registryPolicy();
  }

  /** The registry-wide default (MREG_DEFAULT_APPROVAL_POLICY or set through the API), else the built-in one. */
  async registryPolicy(): Promise<ApprovalPolicy> {
    return (await this.repository.load(streams.policy(REGISTRY_POLICY_ID), approvalPolicyDecider)).state.policy;
  }

  /** Replaces a model's policy with a complete one (a rule for every stage). */
  async setPolicy(name: string, policy: ApprovalPolicy, ctx: CommandContext): Promise<ApprovalPolicy> {
    const { modelId } = await this.lookup.require(name);
    return this.replacePolicy(modelId, policy, ctx);
  }

  /** Changes some stages of a model's policy; the others keep the rule in force (its own, else the default's). */
  async changePolicy(name: string, changes: Partial<ApprovalPolicy>, ctx: CommandContext): Promise<ApprovalPolicy> {
    const { modelId } = await this.lookup.require(name);
    return this.mergePolicy(modelId, changes, await this.registryPolicy(), ctx);
  }

  /** Replaces the registry-wide default with a complete policy. */
  setRegistryPolicy(policy: ApprovalPolicy, ctx: CommandContext): Promise<ApprovalPolicy> {
    return this.replacePolicy(REGISTRY_POLICY_ID, policy, ctx);
  }

  /**
   * Changes some stages of the registry-wide default; the others keep its rule (the built-in one until set).
   * MREG_DEFAULT_APPROVAL_POLICY is applied this way at start.
   */
  changeRegistryPolicy(changes: Partial<ApprovalPolicy>, ctx: CommandContext): Promise<ApprovalPolicy> {
    return this.mergePolicy(REGISTRY_POLICY_ID, changes, DEFAULT_APPROVAL_POLICY, ctx);
  }

  private async replacePolicy(modelId: string, policy: ApprovalPolicy, ctx: CommandContext): Promise<ApprovalPolicy> {
    const result = await this.repository.handle(streams.policy(modelId), approvalPolicyDecider, { type: 'SetApprovalPolicy', data: { modelId, policy } }, ctx);
    return result.state.policy;
  }

  private async mergePolicy(modelId: string, changes: Partial<ApprovalPolicy>, inForce: ApprovalPolicy, ctx: CommandContext): Promise<ApprovalPolicy> {
    const command = { type: 'ChangeApprovalPolicy', data: { modelId, changes, inForce } } as const;
    const result = await this.repository.handle(streams.policy(modelId), approvalPolicyDecider, command, ctx);
    return result.state.policy;
  }

  /** A transition request as the log has it now. */
  async transition(transitionId: string): Promise<TransitionState> {
    return (await this.repository.load<unknown, TransitionEvent, TransitionState>(streams.transition(transitionId), transitionDecider)).state;
  }

  /**
   * Opens a request: at most one open request per version (the version-transitions stream serialises rivals:
   * one wins, the others get 409), then the request itself, auto-approved when the policy needs no approval.
   */
  async request(name: string, version: number, input: TransitionInput, ctx: CommandContext): Promise<string> {
    const model = await this.lookup.require(name);
    const snapshot = await this.lookup.requireVersion(model.modelId, version, model.name);
    const rule = ruleForMove(await this.policyOf(model.modelId), snapshot.stage, input.stage);
    const transitionId = randomUUID();
    const slot = streams.versionTransitions(model.modelId, version);
    await this.repository.handle(slot, versionTransitionsDecider, { type: 'OpenVersionTransition', data: { modelId: model.modelId, version, transitionId, toStage: input.stage } }, ctx);
    try {
      await this.repository.handle(
        streams.transition(transitionId),
        transitionDecider,
        {
          type: 'RequestTransition',
          data: {
            transitionId,
            modelId: model.modelId,
            modelName: model.name,
            version,
            fromStage: snapshot.stage,
            toStage: input.stage,
            requestedBy: ctx.principal.user,
            comment: input.comment ?? '',
            archiveExisting: input.archiveExisting ?? false,
            rule,
          },
        },
        ctx,
      );
    } catch (error) {
      await this.repository.handle(slot, versionTransitionsDecider, { type: 'CloseVersionTransition', data: { modelId: model.modelId, version, transitionId } }, ctx);
      throw error;
    }
    await this.settle(transitionId);
    return transitionId;
  }

  async approve(transitionId: string, comment: string, ctx: CommandContext): Promise<void> {
    await this.repository.handle(streams.transition(transitionId), transitionDecider, { type: 'ApproveTransition', data: { by: ctx.principal, comment } }, ctx);
    await this.settle(transitionId);
  }

  async reject(transitionId: string, comment: string, ctx: CommandContext): Promise<void> {
    const result = await this.repository.handle(streams.transition(transitionId), transitionDecider, { type: 'RejectTransition', data: { by: ctx.principal, comment } }, ctx);
    await this.closeSlot(result.state, ctx);
  }

  async cancel(transitionId: string, comment: string, ctx: CommandContext): Promise<void> {
    const result = await this.repository.handle(streams.transition(transitionId), transitionDecider, { type: 'CancelTransition', data: { by: ctx.principal, comment } }, ctx);
    await this.closeSlot(result.state, ctx);
  }

  /** Records the outcome registration reported (reaction; idempotent). */
  async recordOutcome(transitionId: string, outcome: { applied: true } | { applied: false; reason: string }, ctx: CommandContext): Promise<void> {
    const result = await this.repository.handle(streams.transition(transitionId), transitionDecider, outcome.applied ? { type: 'MarkTransitionApplied', data: {} } : { type: 'MarkTransitionFailed', data: { reason: outcome.reason } }, ctx);
    await this.closeSlot(result.state, ctx);
  }

  /** Frees the version for its next request once a request is closed (idempotent). */
  async closeSlot(state: TransitionState, ctx: CommandContext): Promise<void> {
    if (state.status === 'none' || state.status === 'pending' || state.status === 'approved') return;
    const { modelId, version, transitionId } = state.request;
    await this.repository.handle(streams.versionTransitions(modelId, version), versionTransitionsDecider, { type: 'CloseVersionTransition', data: { modelId, version, transitionId } }, ctx);
  }

  /**
   * An approved request is applied by registration asynchronously; wait (bounded) for the outcome so the
   * caller's next read shows the new stage, and make the request's read-your-writes cover those streams.
   */
  private async settle(transitionId: string): Promise<void> {
    const deadline = Date.now() + SETTLE_TIMEOUT_MS;
    let delay = 2;
    for (;;) {
      const loaded = await this.repository.load<unknown, TransitionEvent, TransitionState>(streams.transition(transitionId), transitionDecider);
      const state = loaded.state;
      if (state.status === 'none') throw new DomainError('NOT_FOUND', `transition ${transitionId} not found`);
      if (state.status !== 'approved') {
        const { modelId, version } = state.request;
        // A closed request also frees its version for the next one (a separate append by the outcome reaction).
        const slot = await this.repository.load(streams.versionTransitions(modelId, version), versionTransitionsDecider);
        const slotFreed = state.status === 'pending' || slot.state.open?.transitionId !== transitionId;
        if (slotFreed || Date.now() > deadline) {
          recordWrite({ streamId: streams.transition(transitionId), revision: loaded.revision });
          if (slot.revision >= 0) recordWrite({ streamId: streams.versionTransitions(modelId, version), revision: slot.revision });
          if (state.status === 'applied') {
            const v = await this.lookup.version(modelId, version);
            recordWrite({ streamId: streams.version(modelId, version), revision: v.revision });
          }
          return;
        }
      }
      if (Date.now() > deadline) return;
      await sleep(delay);
      delay = Math.min(delay * 2, 50);
    }
  }
}
