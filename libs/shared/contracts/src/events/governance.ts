import type { Event } from './event';
import type { Stage } from './model';

export const ROLES = ['reader', 'contributor', 'approver', 'admin'] as const;
export type Role = (typeof ROLES)[number];

/** A transition request's status: pending → approved → applied | failed; pending → rejected | cancelled. */
export const TRANSITION_STATUSES = ['pending', 'approved', 'rejected', 'cancelled', 'applied', 'failed'] as const;
export type TransitionStatus = (typeof TRANSITION_STATUSES)[number];

export interface StageRule {
  /** Approvals needed before the stage change is applied; 0 applies it at once. */
  readonly requiredApprovals: number;
  /** Role an approver must hold (admin always qualifies). */
  readonly approverRole: Role;
}

export type ApprovalPolicy = Readonly<Record<Stage, StageRule>>;

export const DEFAULT_APPROVAL_POLICY: ApprovalPolicy = {
  development: { requiredApprovals: 0, approverRole: 'approver' },
  staging: { requiredApprovals: 1, approverRole: 'approver' },
  production: { requiredApprovals: 1, approverRole: 'approver' },
  archived: { requiredApprovals: 0, approverRole: 'approver' },
};

/**
 * An alias a policy protects (`champion`): only a holder of `role` (or an admin) moves or removes it, and only onto
 * a version that is in `stage` at that moment. Aliases a policy does not name stay free, as in MLflow.
 */
export interface AliasProtection {
  readonly stage: Stage;
  readonly role: Role;
}

/** alias → its protection. */
export type ProtectedAliases = Readonly<Record<string, AliasProtection>>;

// ---- stream policy-<modelId> ------------------------------------------------------------------------
export type ApprovalPolicySet = Event<'ApprovalPolicySet', { modelId: string; policy: ApprovalPolicy }>;
/** The aliases the model's own policy protects now, all of them ({} for none). */
export type ProtectedAliasesSet = Event<'ProtectedAliasesSet', { modelId: string; protectedAliases: ProtectedAliases }>;
export type PolicyEvent = ApprovalPolicySet | ProtectedAliasesSet;

// ---- stream transition-<transitionId> ----------------------------------------------------------------
export type TransitionRequested = Event<
  'TransitionRequested',
  {
    transitionId: string;
    modelId: string;
    modelName: string;
    version: number;
    fromStage: Stage;
    toStage: Stage;
    requestedBy: string;
    comment: string;
    archiveExisting: boolean;
    rule: StageRule;
  }
>;
export type TransitionApprovalGiven = Event<'TransitionApprovalGiven', { transitionId: string; modelId: string; version: number; by: string; comment: string }>;
/** Enough approvals: registration applies the stage change. */
export type TransitionApproved = Event<'TransitionApproved', { transitionId: string; modelId: string; version: number; fromStage: Stage; toStage: Stage; archiveExisting: boolean; approvers: readonly string[] }>;
export type TransitionRejected = Event<'TransitionRejected', { transitionId: string; modelId: string; version: number; by: string; comment: string }>;
export type TransitionCancelled = Event<'TransitionCancelled', { transitionId: string; modelId: string; version: number; by: string; comment: string }>;
export type TransitionApplied = Event<'TransitionApplied', { transitionId: string; modelId: string; version: number; toStage: Stage }>;
export type TransitionFailed = Event<'TransitionFailed', { transitionId: string; modelId: string; version: number; reason: string }>;
export type TransitionEvent = TransitionRequested | TransitionApprovalGiven | TransitionApproved | TransitionRejected | TransitionCancelled | TransitionApplied | TransitionFailed;

// ---- stream version-transitions-<modelId>-<n>: at most one open request per version ------------------
export type VersionTransitionOpened = Event<'VersionTransitionOpened', { modelId: string; version: number; transitionId: string; toStage: Stage }>;
export type VersionTransitionClosed = Event<'VersionTransitionClosed', { modelId: string; version: number; transitionId: string }>;
export type VersionTransitionsEvent = VersionTransitionOpened | VersionTransitionClosed;
