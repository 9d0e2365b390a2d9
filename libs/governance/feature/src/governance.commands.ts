import { randomUUID } from 'node:crypto';
import { setTimeout as sleep } from 'node:timers/promises';
import { Injectable } from '@nestjs/common';
import { DEFAULT_APPROVAL_POLICY, DomainError, STAGES, canTransition, isDomainError, streams } from '@mreg/shared/contracts';
import type { ApprovalPolicy, ModelPermission, Principal, Stage, StageRule, TransitionEvent } from '@mreg/shared/contracts';
import { approvalPolicyDecider, ruleForMove, transitionDecider, versionTransitionsDecider } from '@mreg/governance/domain';
import type { AliasProtectionChanges, PolicyInForce, TransitionState } from '@mreg/governance/domain';
import { PolicyLookup, REGISTRY_POLICY_ID } from '@mreg/governance/catalog';
import { EventSourcedRepository, recordWrite } from '@mreg/platform/runtime';
import { ModelLookup } from '@mreg/registration/catalog';
import type { CommandContext } from '@mreg/platform/runtime';

export interface TransitionInput {
  readonly stage: Stage;
  readonly comment?: string;
  readonly archiveExisting?: boolean;
}

/** What a PATCH of a policy changes: some stages' rules, some aliases' protections (null frees one). */
export interface PolicyChanges {
  readonly rules: Partial<ApprovalPolicy>;
  readonly protectedAliases: AliasProtectionChanges;
}

const SETTLE_TIMEOUT_MS = 5000;

/** The built-in policy: DEFAULT_APPROVAL_POLICY's rules, every alias free. */
const BUILT_IN_POLICY: PolicyInForce = { policy: DEFAULT_APPROVAL_POLICY, protectedAliases: {} };

/** Governance use cases: transition requests under approval policies. */
@Injectable()
export class GovernanceCommands {
  constructor(
    private readonly repository: EventSourcedRepository,
    private readonly lookup: ModelLookup,
    private readonly policies: PolicyLookup,
  ) {}

  /** The policy in force for a model: its own once set, else the registry-wide default. */
  policyOf(modelId: string): Promise<PolicyInForce> {
    return this.policies.inForce(modelId);
  }

  /** The registry-wide default (MREG_DEFAULT_APPROVAL_POLICY or set through the API), else the built-in one. */
  registryPolicy(): Promise<PolicyInForce> {
    return this.policies.registryDefault();
  }

  /** Replaces a model's policy with a complete one (a rule for every stage, the protected aliases). */
  async setPolicy(name: string, policy: PolicyInForce, ctx: CommandContext): Promise<PolicyInForce> {
    const { modelId } = await this.lookup.authorize(name, ctx.principal, 'manage');
    await this.requireNoLaxerThanRegistry(policy.policy, ctx);
    return this.replacePolicy(modelId, policy, ctx);
  }

  /** Changes some stages and aliases of a model's policy; the rest keeps what is in force (its own, else the default's). */
  async changePolicy(name: string, changes: PolicyChanges, ctx: CommandContext): Promise<PolicyInForce> {
    const { modelId } = await this.lookup.authorize(name, ctx.principal, 'manage');
    await this.requireNoLaxerThanRegistry({ ...(await this.policyOf(modelId)).policy, ...changes.rules }, ctx);
    return this.mergePolicy(modelId, changes, await this.registryPolicy(), ctx);
  }

  /**
   * A model's managers may tighten its approval policy, never loosen it below the registry-wide default: otherwise
   * whoever manages a model could approve their own way into production. Admins set any policy.
   */
  private async requireNoLaxerThanRegistry(policy: ApprovalPolicy, ctx: CommandContext): Promise<void> {
    if (ctx.principal.roles.includes('admin')) return;
    const floor = (await this.registryPolicy()).policy;
    const laxer = STAGES.filter((stage) => !atLeastAsStrict(policy[stage], floor[stage]));
    if (laxer.length > 0) {
      throw new DomainError('PERMISSION_DENIED', `only an admin may make a model's approval policy laxer than the registry's default (stages: ${laxer.join(', ')}): ask for at least as many approvals, by the same role or by admins`, {
        stages: laxer,
      });
    }
  }

  /** Replaces the registry-wide default with a complete policy. */
  setRegistryPolicy(policy: PolicyInForce, ctx: CommandContext): Promise<PolicyInForce> {
    return this.replacePolicy(REGISTRY_POLICY_ID, policy, ctx);
  }

  /** Changes some stages and aliases of the registry-wide default; the rest keeps its rule (the built-in one until set). */
  changeRegistryPolicy(changes: PolicyChanges, ctx: CommandContext): Promise<PolicyInForce> {
    return this.mergePolicy(REGISTRY_POLICY_ID, changes, BUILT_IN_POLICY, ctx);
  }

  private async replacePolicy(modelId: string, { policy, protectedAliases }: PolicyInForce, ctx: CommandContext): Promise<PolicyInForce> {
    const result = await this.repository.handle(streams.policy(modelId), approvalPolicyDecider, { type: 'SetApprovalPolicy', data: { modelId, policy, protectedAliases } }, ctx);
    return { policy: result.state.policy, protectedAliases: result.state.protectedAliases };
  }

  private async mergePolicy(modelId: string, changes: PolicyChanges, inForce: PolicyInForce, ctx: CommandContext): Promise<PolicyInForce> {
    const command = { type: 'ChangeApprovalPolicy', data: { modelId, changes: changes.rules, aliasChanges: changes.protectedAliases, inForce } } as const;
    const result = await this.repository.handle(streams.policy(modelId), approvalPolicyDecider, command, ctx);
    return { policy: result.state.policy, protectedAliases: result.state.protectedAliases };
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
    const model = await this.lookup.authorize(name, ctx.principal, 'write');
    const snapshot = await this.lookup.requireVersion(model.modelId, version, model.name);
    // A move the stage table does not allow from the version's stage now (to the stage it is in, out of archived to
    // anything but development) conflicts with the version's state (409); the same body is fine for a version elsewhere.
    if (!canTransition(snapshot.stage, input.stage)) {
      throw new DomainError('FAILED_PRECONDITION', `version ${version} of "${model.name}" is in ${snapshot.stage}: a version cannot move from ${snapshot.stage} to ${input.stage}`, {
        fromStage: snapshot.stage,
        toStage: input.stage,
      });
    }
    const rule = ruleForMove((await this.policyOf(model.modelId)).policy, snapshot.stage, input.stage);
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

  /**
   * The request `transitionId` if the caller may see its model (NOT_FOUND otherwise, as for an unknown request) and
   * may do `wanted` to it. Deciding and cancelling need only read: the policy says who approves, and only the
   * requester or an admin cancels (the decider's rules).
   */
  async authorizeTransition(transitionId: string, principal: Principal, wanted: ModelPermission): Promise<TransitionState> {
    const state = await this.transition(transitionId);
    const notFound = () => new DomainError('NOT_FOUND', `transition ${transitionId} not found`);
    if (state.status === 'none') throw notFound();
    try {
      await this.lookup.authorizeId(state.request.modelId, principal, wanted);
    } catch (error) {
      throw isDomainError(error) && error.code === 'NOT_FOUND' ? notFound() : error;
    }
    return state;
  }

  async approve(transitionId: string, comment: string, ctx: CommandContext): Promise<void> {
    await this.authorizeTransition(transitionId, ctx.principal, 'read');
    await this.repository.handle(streams.transition(transitionId), transitionDecider, { type: 'ApproveTransition', data: { by: ctx.principal, comment } }, ctx);
    await this.settle(transitionId);
  }

  async reject(transitionId: string, comment: string, ctx: CommandContext): Promise<void> {
    await this.authorizeTransition(transitionId, ctx.principal, 'read');
    const result = await this.repository.handle(streams.transition(transitionId), transitionDecider, { type: 'RejectTransition', data: { by: ctx.principal, comment } }, ctx);
    await this.closeSlot(result.state, ctx);
  }

  async cancel(transitionId: string, comment: string, ctx: CommandContext): Promise<void> {
    await this.authorizeTransition(transitionId, ctx.principal, 'read');
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

/** A rule asks at least as much as `floor`: as many approvals or more, by the same role or by admins. */
function atLeastAsStrict(rule: StageRule, floor: StageRule): boolean {
  if (floor.requiredApprovals === 0) return true;
  return rule.requiredApprovals >= floor.requiredApprovals && (rule.approverRole === floor.approverRole || rule.approverRole === 'admin');
}
