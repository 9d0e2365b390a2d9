import type { Decider } from '@mreg/shared/contracts';
import { DEFAULT_APPROVAL_POLICY, DomainError, ROLES, STAGES, type AliasProtection, type ApprovalPolicy, type PolicyEvent, type ProtectedAliases, type Role, type Stage, type StageRule } from '@mreg/shared/contracts';
import type { Command } from '@mreg/shared/contracts';
import { unknownCommand, unknownEvent } from '@mreg/shared/contracts';
import { validateAlias } from '@mreg/shared/util';

// Stream policy-<modelId>: how many approvals, from which role, a move into each stage needs; and which aliases
// only some may move, onto a version in which stage.

export const MAX_REQUIRED_APPROVALS = 10;
/** A policy protects a handful of aliases (champion, challenger …), not a catalogue. */
export const MAX_PROTECTED_ALIASES = 20;
/** Readers only look; any other role may be the one a stage's approvals come from, or a protected alias's mover. */
export const APPROVER_ROLES: readonly Role[] = ROLES.filter((role) => role !== 'reader');

/** A policy as a whole: the approval rule of each stage and the aliases it protects. */
export interface PolicyInForce {
  readonly policy: ApprovalPolicy;
  readonly protectedAliases: ProtectedAliases;
}

/** Aliases to protect (a protection) or to free (null); aliases not named keep their protection, or none. */
export type AliasProtectionChanges = Readonly<Record<string, AliasProtection | null>>;

/** Replaces the policy with a complete one: a rule for every stage and the protected aliases ({} for none). */
export type SetApprovalPolicy = Command<'SetApprovalPolicy', { modelId: string; policy: ApprovalPolicy; protectedAliases: ProtectedAliases }>;
/**
 * Changes some stages' rules and some aliases' protections; the rest keeps what is in force: the stream's own
 * policy once set, else `inForce` (the registry-wide default the model follows until then).
 */
export type ChangeApprovalPolicy = Command<'ChangeApprovalPolicy', { modelId: string; changes: Partial<ApprovalPolicy>; aliasChanges: AliasProtectionChanges; inForce: PolicyInForce }>;
export type ApprovalPolicyCommand = SetApprovalPolicy | ChangeApprovalPolicy;

export interface ApprovalPolicyState extends PolicyInForce {
  /** false while the model still runs on DEFAULT_APPROVAL_POLICY (and protects no alias) */
  readonly customized: boolean;
}

export const initialApprovalPolicyState: ApprovalPolicyState = { policy: DEFAULT_APPROVAL_POLICY, protectedAliases: {}, customized: false };

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
 * What is wrong with a map of protected aliases (alias → {stage, role}; with `removals`, alias → null frees it
 * too), or undefined: the one check behind the policy bodies' validation and the decider's.
 */
export function protectedAliasesProblem(value: unknown, options: { readonly removals: boolean }): string | undefined {
  if (typeof value !== 'object' || value === null || Array.isArray(value)) return 'protectedAliases must be a JSON object (alias → {"stage", "role"})';
  const entries = Object.entries(value as Record<string, unknown>);
  if (entries.length > MAX_PROTECTED_ALIASES) return `protectedAliases may name at most ${MAX_PROTECTED_ALIASES} aliases`;
  for (const [alias, protection] of entries) {
    const problem = validateAlias(alias) ?? (options.removals && protection === null ? undefined : aliasProtectionProblem(protection));
    if (problem) return `protectedAliases ${JSON.stringify(alias.slice(0, 64))}: ${problem}`;
  }
  return undefined;
}

function aliasProtectionProblem(protection: unknown): string | undefined {
  if (typeof protection !== 'object' || protection === null || Array.isArray(protection)) return 'a protection is an object {"stage", "role"}';
  const unknown = Object.keys(protection).find((key) => key !== 'stage' && key !== 'role');
  if (unknown !== undefined) return `unknown field ${JSON.stringify(unknown.slice(0, 64))} (a protection has a stage and a role)`;
  const { stage, role } = protection as { stage?: unknown; role?: unknown };
  if (!STAGES.includes(stage as Stage)) return `stage must be one of ${STAGES.join(', ')}`;
  if (!APPROVER_ROLES.includes(role as Role)) return `role must be one of ${APPROVER_ROLES.join(', ')}`;
  return undefined;
}

/** Checks protected aliases and returns them with only the known fields, by alias name; throws INVALID_ARGUMENT. */
export function validateProtectedAliases(protectedAliases: ProtectedAliases): ProtectedAliases {
  const problem = protectedAliasesProblem(protectedAliases, { removals: false });
  if (problem) throw new DomainError('INVALID_ARGUMENT', problem);
  const names = Object.keys(protectedAliases).sort();
  return Object.fromEntries(names.map((alias) => [alias, { stage: protectedAliases[alias].stage, role: protectedAliases[alias].role }]));
}

/** How `alias` is protected under a policy, or undefined when it is free. */
export function protectionOf(policy: PolicyInForce, alias: string): AliasProtection | undefined {
  return Object.hasOwn(policy.protectedAliases, alias) ? policy.protectedAliases[alias] : undefined;
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

export function sameProtectedAliases(a: ProtectedAliases, b: ProtectedAliases): boolean {
  const aliases = Object.keys(a);
  return aliases.length === Object.keys(b).length && aliases.every((alias) => Object.hasOwn(b, alias) && a[alias].stage === b[alias].stage && a[alias].role === b[alias].role);
}

/** `protectedAliases` with `changes` applied: a protection set or replaced, null freeing the alias. */
function withAliasChanges(protectedAliases: ProtectedAliases, changes: AliasProtectionChanges): ProtectedAliases {
  const problem = protectedAliasesProblem(changes, { removals: true });
  if (problem) throw new DomainError('INVALID_ARGUMENT', problem);
  const result: Record<string, AliasProtection> = Object.fromEntries(Object.entries(protectedAliases));
  for (const [alias, protection] of Object.entries(changes)) {
    if (protection === null) delete result[alias];
    else result[alias] = protection;
  }
  return result;
}

/**
 * The events that make `policy` and `protectedAliases` the stream's own policy. A first policy is recorded even
 * when it equals the built-in one: it pins the model to it, whatever the registry-wide default becomes. A policy of
 * its own protects only the aliases it names (none until then), whatever the default protects.
 */
function policyEvents(modelId: string, state: ApprovalPolicyState, policy: ApprovalPolicy, protectedAliases: ProtectedAliases): PolicyEvent[] {
  const events: PolicyEvent[] = [];
  if (!state.customized || !samePolicy(policy, state.policy)) events.push({ type: 'ApprovalPolicySet', data: { modelId, policy } });
  const own = state.customized ? state.protectedAliases : {};
  if (!sameProtectedAliases(protectedAliases, own)) events.push({ type: 'ProtectedAliasesSet', data: { modelId, protectedAliases } });
  return events;
}

export function decideApprovalPolicy(command: ApprovalPolicyCommand, state: ApprovalPolicyState): PolicyEvent[] {
  switch (command.type) {
    case 'SetApprovalPolicy': {
      const { modelId } = command.data;
      return policyEvents(modelId, state, validateApprovalPolicy(command.data.policy), validateProtectedAliases(command.data.protectedAliases));
    }
    case 'ChangeApprovalPolicy': {
      const { modelId, changes, aliasChanges, inForce } = command.data;
      const base = state.customized ? state : inForce;
      const policy = validateApprovalPolicy({ ...base.policy, ...changes });
      return policyEvents(modelId, state, policy, validateProtectedAliases(withAliasChanges(base.protectedAliases, aliasChanges)));
    }
    default:
      return unknownCommand(command);
  }
}

export function evolveApprovalPolicy(state: ApprovalPolicyState, event: PolicyEvent): ApprovalPolicyState {
  switch (event.type) {
    case 'ApprovalPolicySet':
      return { ...state, policy: event.data.policy, customized: true };
    case 'ProtectedAliasesSet':
      return { ...state, protectedAliases: event.data.protectedAliases };
    default:
      return unknownEvent(event, state);
  }
}

export const approvalPolicyDecider = { decide: decideApprovalPolicy, evolve: evolveApprovalPolicy, initialState: initialApprovalPolicyState } satisfies Decider<ApprovalPolicyState, ApprovalPolicyCommand, PolicyEvent>;
