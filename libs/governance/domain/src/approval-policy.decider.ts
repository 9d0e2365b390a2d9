import type { Decider } from '@mreg/shared/contracts';
import { DEFAULT_APPROVAL_POLICY, DomainError, ROLES, STAGES, type ApprovalPolicy, type PolicyEvent, type Role, type Stage, type StageRule } from '@mreg/shared/contracts';
import type { Command } from '@mreg/shared/contracts';
import { unknownCommand, unknownEvent } from '@mreg/shared/contracts';

// Stream policy-<modelId>: how many approvals, from which role, a move into each stage needs.

export const MAX_REQUIRED_APPROVALS = 10;
/** Readers only look; any other role may be the one a stage's approvals come from. */
export const APPROVER_ROLES: readonly Role[] = ROLES.filter((role) => role !== 'reader');

export type SetApprovalPolicy = Command<'SetApprovalPolicy', { modelId: string; policy: ApprovalPolicy }>;
/**
 * Changes some stages' rules; the others keep the rule in force: the stream's own policy once set, else
 * `inForce` (the registry-wide default the model follows until then).
 */
export type ChangeApprovalPolicy = Command<'ChangeApprovalPolicy', { modelId: string; changes: Partial<ApprovalPolicy>; inForce: ApprovalPolicy }>;
export type ApprovalPolicyCommand = SetApprovalPolicy | ChangeApprovalPolicy;

export interface ApprovalPolicyState {
  readonly policy: ApprovalPolicy;
  /** false while the model still runs on DEFAULT_APPROVAL_POLICY */
  readonly customized: boolean;
}

export const initialApprovalPolicyState: ApprovalPolicyState = { policy: DEFAULT_APPROVAL_POLICY, customized: false };

/** Checks one stage's rule and returns it with only the known fields; throws INVALID_ARGUMENT. */
export function validateStageRule(stage: Stage, rule: StageRule | undefined): StageRule {
  if (typeof rule !== 'object' || rule === null) throw new DomainError('INVALID_ARGUMENT', `the policy has no rule for ${stage}`, { stage });
  const { requiredApprovals, approverRole } = rule;
  if (!Number.isInteger(requiredApprovals) || requiredApprovals < 0 || requiredApprovals > MAX_REQUIRED_APPROVALS) {
    throw new DomainError('INVALID_ARGUMENT', `${stage}: requiredApprovals must be an integer from 0 to ${MAX_REQUIRED_APPROVALS}`, { stage, requiredApprovals });
  }
  if (!APPROVER_ROLES.includes(approverRole)) {
    throw new DomainError('INVALID_ARGUMENT', `${stage}: approverRole must be one of ${APPROVER_ROLES.join(', ')}`, { stage, approverRole });
  }
  return { requiredApprovals, approverRole };
}

/** Checks a whole policy and returns it with only the known stages and fields; throws INVALID_ARGUMENT. */
export function validateApprovalPolicy(policy: ApprovalPolicy): ApprovalPolicy {
  const entries = STAGES.map((stage) => [stage, validateStageRule(stage, policy[stage])] as const);
  return Object.fromEntries(entries) as Record<Stage, StageRule>;
}

/**
 * The rule a move from one stage to another needs. Taking a version out of production is governed like putting
 * it there: the stricter of the target stage's rule and production's (more approvals; on a tie, production's).
 */
export function ruleForMove(policy: ApprovalPolicy, fromStage: Stage, toStage: Stage): StageRule {
  const target = policy[toStage];
  if (fromStage !== 'production' || toStage === 'production') return target;
  return target.requiredApprovals > policy.production.requiredApprovals ? target : policy.production;
}

export function samePolicy(a: ApprovalPolicy, b: ApprovalPolicy): boolean {
  return STAGES.every((stage) => a[stage].requiredApprovals === b[stage].requiredApprovals && a[stage].approverRole === b[stage].approverRole);
}

export function decideApprovalPolicy(command: ApprovalPolicyCommand, state: ApprovalPolicyState): PolicyEvent[] {
  switch (command.type) {
    case 'SetApprovalPolicy': {
      const { modelId } = command.data;
      const policy = validateApprovalPolicy(command.data.policy);
      // A first policy is recorded even when it equals the built-in one: it pins the model to it, whatever the
      // registry-wide default becomes.
      return state.customized && samePolicy(policy, state.policy) ? [] : [{ type: 'ApprovalPolicySet', data: { modelId, policy } }];
    }
    case 'ChangeApprovalPolicy': {
      const { modelId, changes, inForce } = command.data;
      const base = state.customized ? state.policy : inForce;
      const policy = validateApprovalPolicy({ ...base, ...changes });
      return state.customized && samePolicy(policy, state.policy) ? [] : [{ type: 'ApprovalPolicySet', data: { modelId, policy } }];
    }
    default:
      return unknownCommand(command);
  }
}

export function evolveApprovalPolicy(state: ApprovalPolicyState, event: PolicyEvent): ApprovalPolicyState {
  switch (event.type) {
    case 'ApprovalPolicySet':
      return { policy: event.data.policy, customized: true };
    default:
      return unknownEvent(event.type, state);
  }
}

export const approvalPolicyDecider = { decide: decideApprovalPolicy, evolve: evolveApprovalPolicy, initialState: initialApprovalPolicyState } satisfies Decider<ApprovalPolicyState, ApprovalPolicyCommand, PolicyEvent>;
