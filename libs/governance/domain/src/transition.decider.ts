import type { Decider, TransitionStatus } from '@mreg/shared/contracts';
import { DomainError, canTransition, type Principal, type TransitionEvent, type TransitionRequested } from '@mreg/shared/contracts';
import { validateStageRule } from './approval-policy.decider';
import type { Command } from '@mreg/shared/contracts';
import { unknownCommand, unknownEvent } from '@mreg/shared/contracts';

// Stream transition-<transitionId>: one request to move a version to another stage, and its approval chain.
// pending → approved → applied | failed; pending → rejected | cancelled.

export type TransitionRequest = TransitionRequested['data'];

/** `rule`: the model's policy rule for `toStage` at request time; later policy changes do not affect it. */
export type RequestTransition = Command<'RequestTransition', TransitionRequest>;
export type ApproveTransition = Command<'ApproveTransition', { by: Principal; comment: string }>;
export type RejectTransition = Command<'RejectTransition', { by: Principal; comment: string }>;
export type CancelTransition = Command<'CancelTransition', { by: Principal; comment: string }>;
/** Registration applied the stage change. */
export type MarkTransitionApplied = Command<'MarkTransitionApplied'>;
/** Registration refused the stage change (the version moved or was deleted meanwhile). */
export type MarkTransitionFailed = Command<'MarkTransitionFailed', { reason: string }>;
export type TransitionCommand = RequestTransition | ApproveTransition | RejectTransition | CancelTransition | MarkTransitionApplied | MarkTransitionFailed;

export type TransitionState =
  | { readonly status: 'none' }
  | {
      readonly status: TransitionStatus;
      readonly request: TransitionRequest;
      /** Users who approved, in order. */
      readonly approvers: readonly string[];
      /** Who rejected or cancelled it. */
      readonly closedBy?: string;
      readonly failureReason?: string;
    };

export const initialTransitionState: TransitionState = { status: 'none' };

function mayApprove(by: Principal, request: TransitionRequest): boolean {
  return by.roles.includes('admin') || by.roles.includes(request.rule.approverRole);
}

export function decideTransition(command: TransitionCommand, state: TransitionState): TransitionEvent[] {
  if (command.type === 'RequestTransition') return request(command.data, state);
  if (state.status === 'none') throw new DomainError('NOT_FOUND', 'transition not found');
  const { request: req } = state;
  const { transitionId, modelId, version } = req;
  const notPending = () => new DomainError('CONFLICT', `transition is ${state.status}`, { transitionId, status: state.status });
  /** Approving and rejecting alike: the request is pending, and who decides is not its requester and may approve. */
  const requireDecider = (by: Principal, ownRequest: string, deciding: 'approving' | 'rejecting'): void => {
    if (state.status !== 'pending') throw notPending();
    if (by.user === req.requestedBy) throw new DomainError('PERMISSION_DENIED', ownRequest, { transitionId, user: by.user });
    if (!mayApprove(by, req)) {
      throw new DomainError('PERMISSION_DENIED', `${deciding} a move to ${req.toStage} needs the ${req.rule.approverRole} role`, { transitionId, requiredRole: req.rule.approverRole });
    }
  };
  switch (command.type) {
    case 'ApproveTransition': {
      const { by, comment } = command.data;
      requireDecider(by, 'nobody approves their own transition request', 'approving');
      if (state.approvers.includes(by.user)) throw new DomainError('CONFLICT', `${by.user} already approved this transition`, { transitionId, user: by.user });
      const given: TransitionEvent = { type: 'TransitionApprovalGiven', data: { transitionId, modelId, version, by: by.user, comment } };
      const approvers = [...state.approvers, by.user];
      if (approvers.length < req.rule.requiredApprovals) return [given];
      return [given, approved(req, approvers)];
    }
    case 'RejectTransition': {
      const { by, comment } = command.data;
      requireDecider(by, 'the requester cancels their own request instead of rejecting it', 'rejecting');
      return [{ type: 'TransitionRejected', data: { transitionId, modelId, version, by: by.user, comment } }];
    }
    case 'CancelTransition': {
      const { by, comment } = command.data;
      if (state.status !== 'pending') throw notPending();
      if (by.user !== req.requestedBy && !by.roles.includes('admin')) {
        throw new DomainError('PERMISSION_DENIED', 'only the requester or an admin cancels a transition request', { transitionId, user: by.user });
      }
      return [{ type: 'TransitionCancelled', data: { transitionId, modelId, version, by: by.user, comment } }];
    }
    case 'MarkTransitionApplied':
      if (state.status === 'applied') return [];
      if (state.status !== 'approved') throw notPending();
      return [{ type: 'TransitionApplied', data: { transitionId, modelId, version, toStage: req.toStage } }];
    case 'MarkTransitionFailed':
      if (state.status === 'failed') return [];
      if (state.status !== 'approved') throw notPending();
      return [{ type: 'TransitionFailed', data: { transitionId, modelId, version, reason: command.data.reason } }];
    default:
      return unknownCommand(command);
  }
}

function request(data: TransitionRequest, state: TransitionState): TransitionEvent[] {
  const { transitionId, fromStage, toStage, archiveExisting } = data;
  if (state.status !== 'none') throw new DomainError('ALREADY_EXISTS', `transition ${transitionId} already exists`, { transitionId });
  if (!canTransition(fromStage, toStage)) throw new DomainError('INVALID_ARGUMENT', `a version cannot move from ${fromStage} to ${toStage}`, { fromStage, toStage });
  if (archiveExisting && toStage !== 'production' && toStage !== 'staging') {
    throw new DomainError('INVALID_ARGUMENT', 'archiveExisting applies only to a move to staging or production', { toStage, archiveExisting });
  }
  const requested: TransitionEvent = { type: 'TransitionRequested', data: { ...data, rule: validateStageRule(toStage, data.rule) } };
  return data.rule.requiredApprovals === 0 ? [requested, approved(data, [])] : [requested];
}

function approved(req: TransitionRequest, approvers: readonly string[]): TransitionEvent {
  const { transitionId, modelId, version, fromStage, toStage, archiveExisting } = req;
  return { type: 'TransitionApproved', data: { transitionId, modelId, version, fromStage, toStage, archiveExisting, approvers } };
}

export function evolveTransition(state: TransitionState, event: TransitionEvent): TransitionState {
  if (event.type === 'TransitionRequested') return { status: 'pending', request: event.data, approvers: [] };
  if (state.status === 'none') return state; // a stream that does not start with a request: nothing to build on
  switch (event.type) {
    case 'TransitionApprovalGiven':
      return { ...state, approvers: [...state.approvers, event.data.by] };
    case 'TransitionApproved':
      return { ...state, status: 'approved' };
    case 'TransitionRejected':
      return { ...state, status: 'rejected', closedBy: event.data.by };
    case 'TransitionCancelled':
      return { ...state, status: 'cancelled', closedBy: event.data.by };
    case 'TransitionApplied':
      return { ...state, status: 'applied' };
    case 'TransitionFailed':
      return { ...state, status: 'failed', failureReason: event.data.reason };
    default:
      return unknownEvent(event, state);
  }
}

export const transitionDecider = { decide: decideTransition, evolve: evolveTransition, initialState: initialTransitionState } satisfies Decider<TransitionState, TransitionCommand, TransitionEvent>;
