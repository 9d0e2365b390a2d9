import { fold } from '@mreg/shared/contracts';
import type { Principal, Role, StageRule, TransitionEvent, TransitionRequested } from '@mreg/shared/contracts';
import { deciderSpec } from '@mreg/testing/contracts';
import { transitionDecider, type TransitionCommand, type TransitionRequest } from './transition.decider';

const spec = deciderSpec(transitionDecider);
const transitionId = 't1';
const modelId = 'm1';
const version = 3;
const twoApprovers: StageRule = { requiredApprovals: 2, approverRole: 'approver' };
const requestData = (overrides: Partial<TransitionRequest> = {}): TransitionRequest => ({
  transitionId,
  modelId,
  modelName: 'fraud',
  version,
  fromStage: 'staging',
  toStage: 'production',
  requestedBy: 'ann',
  comment: 'auc 0.93 on holdout',
  archiveExisting: true,
  rule: twoApprovers,
  ...overrides,
});
const principal = (user: string, ...roles: Role[]): Principal => ({ user, roles });
const ann = principal('ann', 'contributor', 'approver');
const bob = principal('bob', 'approver');
const cat = principal('cat', 'approver');
const dan = principal('dan', 'contributor');
const root = principal('root', 'admin');

const requested = (overrides: Partial<TransitionRequest> = {}): TransitionRequested => ({ type: 'TransitionRequested', data: requestData(overrides) });
const given = (by: string, comment = 'ok'): TransitionEvent => ({ type: 'TransitionApprovalGiven', data: { transitionId, modelId, version, by, comment } });
const approved = (approvers: string[], overrides: Partial<TransitionRequest> = {}): TransitionEvent => {
  const r = requestData(overrides);
  return { type: 'TransitionApproved', data: { transitionId, modelId, version, fromStage: r.fromStage, toStage: r.toStage, archiveExisting: r.archiveExisting, approvers } };
};
const rejected: TransitionEvent = { type: 'TransitionRejected', data: { transitionId, modelId, version, by: 'bob', comment: 'no' } };
const cancelled: TransitionEvent = { type: 'TransitionCancelled', data: { transitionId, modelId, version, by: 'ann', comment: 'oops' } };
const applied: TransitionEvent = { type: 'TransitionApplied', data: { transitionId, modelId, version, toStage: 'production' } };
const failed: TransitionEvent = { type: 'TransitionFailed', data: { transitionId, modelId, version, reason: 'version is in archived, not staging' } };

const request = (overrides: Partial<TransitionRequest> = {}): TransitionCommand => ({ type: 'RequestTransition', data: requestData(overrides) });
const approve = (by: Principal, comment = 'ok'): TransitionCommand => ({ type: 'ApproveTransition', data: { by, comment } });
const reject = (by: Principal, comment = 'no'): TransitionCommand => ({ type: 'RejectTransition', data: { by, comment } });
const cancel = (by: Principal, comment = 'oops'): TransitionCommand => ({ type: 'CancelTransition', data: { by, comment } });
const markApplied: TransitionCommand = { type: 'MarkTransitionApplied', data: {} };
const markFailed: TransitionCommand = { type: 'MarkTransitionFailed', data: { reason: 'version is in archived, not staging' } };

/** Histories that end in each status other than pending. */
const closedHistories: ReadonlyArray<[string, TransitionEvent[]]> = [
  ['approved', [requested(), given('bob'), given('cat'), approved(['bob', 'cat'])]],
  ['rejected', [requested(), rejected]],
  ['cancelled', [requested(), cancelled]],
  ['applied', [requested(), given('bob'), given('cat'), approved(['bob', 'cat']), applied]],
  ['failed', [requested(), given('bob'), given('cat'), approved(['bob', 'cat']), failed]],
];

describe('transition', () => {
  describe('RequestTransition', () => {
    it('records a request that needs approvals', () => {
      spec.given([]).when(request()).then([requested()]);
    });

    it('approves at once when the rule needs no approvals', () => {
      const noApprovals = { rule: { requiredApprovals: 0, approverRole: 'approver' as const } };
      spec
        .given([])
        .when(request(noApprovals))
        .then([requested(noApprovals), approved([], noApprovals)]);
    });

    it('refuses a move the stage rules forbid', () => {
      spec
        .given([])
        .when(request({ fromStage: 'archived', toStage: 'production' }))
        .thenThrows('INVALID_ARGUMENT', 'cannot move from archived to production');
      spec
        .given([])
        .when(request({ fromStage: 'staging', toStage: 'staging', archiveExisting: false }))
        .thenThrows('INVALID_ARGUMENT');
    });

    it('refuses archiveExisting for a target other than staging or production', () => {
      spec
        .given([])
        .when(request({ toStage: 'archived', archiveExisting: true }))
        .thenThrows('INVALID_ARGUMENT', 'archiveExisting');
      spec
        .given([])
        .when(request({ toStage: 'archived', archiveExisting: false }))
        .then([requested({ toStage: 'archived', archiveExisting: false })]);
      spec
        .given([])
        .when(request({ fromStage: 'development', toStage: 'staging', archiveExisting: true }))
        .then([requested({ fromStage: 'development', toStage: 'staging', archiveExisting: true })]);
    });

    it('refuses an invalid rule', () => {
      spec
        .given([])
        .when(request({ rule: { requiredApprovals: 11, approverRole: 'approver' } }))
        .thenThrows('INVALID_ARGUMENT');
      spec
        .given([])
        .when(request({ rule: { requiredApprovals: 1, approverRole: 'reader' } }))
        .thenThrows('INVALID_ARGUMENT');
    });

    it('refuses to request the same transition twice', () => {
      spec.given([requested()]).when(request()).thenThrows('ALREADY_EXISTS');
    });
  });

  it.each([
    ['ApproveTransition', approve(bob)],
    ['RejectTransition', reject(bob)],
    ['CancelTransition', cancel(ann)],
    ['MarkTransitionApplied', markApplied],
    ['MarkTransitionFailed', markFailed],
  ] as const)('%s on a missing transition is NOT_FOUND', (_type, command) => {
    spec.given([]).when(command).thenThrows('NOT_FOUND');
  });

  describe('ApproveTransition', () => {
    it('records an approval while more are needed', () => {
      spec
        .given([requested()])
        .when(approve(bob, 'lgtm'))
        .then([given('bob', 'lgtm')]);
    });

    it('approves the transition with the approval that reaches the required count', () => {
      spec
        .given([requested(), given('bob')])
        .when(approve(cat))
        .then([given('cat'), approved(['bob', 'cat'])]);
    });

    it('approves with a single approval when one is required', () => {
      const one = { rule: { requiredApprovals: 1, approverRole: 'approver' as const } };
      spec
        .given([requested(one)])
        .when(approve(bob))
        .then([given('bob'), approved(['bob'], one)]);
    });

    it('lets an admin approve whatever role the rule names', () => {
      spec
        .given([requested()])
        .when(approve(root))
        .then([given('root')]);
    });

    it('never lets the requester approve their own request, even as admin', () => {
      spec.given([requested()]).when(approve(ann)).thenThrows('PERMISSION_DENIED', 'own');
      spec
        .given([requested({ requestedBy: 'root' })])
        .when(approve(root))
        .thenThrows('PERMISSION_DENIED');
    });

    it('refuses a user without the approver role', () => {
      spec.given([requested()]).when(approve(dan)).thenThrows('PERMISSION_DENIED', 'needs the approver role');
      const adminsOnly = { rule: { requiredApprovals: 1, approverRole: 'admin' as const } };
      spec
        .given([requested(adminsOnly)])
        .when(approve(bob))
        .thenThrows('PERMISSION_DENIED', 'needs the admin role');
    });

    it('refuses the same user approving twice', () => {
      spec
        .given([requested(), given('bob')])
        .when(approve(bob))
        .thenThrows('CONFLICT', 'bob already approved');
    });

    it.each(closedHistories)('refuses a transition that is %s', (status, history) => {
      spec
        .given(history)
        .when(approve(principal('eve', 'approver')))
        .thenThrows('CONFLICT', `transition is ${status}`);
    });
  });

  describe('RejectTransition', () => {
    it('rejects a pending request', () => {
      spec
        .given([requested(), given('cat')])
        .when(reject(bob))
        .then([rejected]);
    });

    it('lets an admin reject', () => {
      spec
        .given([requested()])
        .when(reject(root, 'no'))
        .then([{ type: 'TransitionRejected', data: { transitionId, modelId, version, by: 'root', comment: 'no' } }]);
    });

    it('tells the requester to cancel instead', () => {
      spec.given([requested()]).when(reject(ann)).thenThrows('PERMISSION_DENIED', 'cancels');
    });

    it('refuses a user without the approver role', () => {
      spec.given([requested()]).when(reject(dan)).thenThrows('PERMISSION_DENIED');
    });

    it.each(closedHistories)('refuses a transition that is %s', (status, history) => {
      spec
        .given(history)
        .when(reject(principal('eve', 'approver')))
        .thenThrows('CONFLICT', `transition is ${status}`);
    });
  });

  describe('CancelTransition', () => {
    it('lets the requester cancel', () => {
      spec.given([requested()]).when(cancel(ann)).then([cancelled]);
    });

    it('lets an admin cancel', () => {
      spec
        .given([requested()])
        .when(cancel(root, 'stale'))
        .then([{ type: 'TransitionCancelled', data: { transitionId, modelId, version, by: 'root', comment: 'stale' } }]);
    });

    it('refuses anyone else, approvers included', () => {
      spec.given([requested()]).when(cancel(bob)).thenThrows('PERMISSION_DENIED');
    });

    it.each(closedHistories)('refuses a transition that is %s', (status, history) => {
      spec.given(history).when(cancel(ann)).thenThrows('CONFLICT', `transition is ${status}`);
    });
  });

  describe('MarkTransitionApplied / MarkTransitionFailed', () => {
    const approvedHistory = [requested(), given('bob'), given('cat'), approved(['bob', 'cat'])];

    it('marks an approved transition applied', () => {
      spec.given(approvedHistory).when(markApplied).then([applied]);
    });

    it('marks an approved transition failed', () => {
      spec.given(approvedHistory).when(markFailed).then([failed]);
    });

    it('is idempotent', () => {
      spec
        .given([...approvedHistory, applied])
        .when(markApplied)
        .thenNothingHappens();
      spec
        .given([...approvedHistory, failed])
        .when(markFailed)
        .thenNothingHappens();
    });

    it('works for a transition approved at once', () => {
      const noApprovals = { rule: { requiredApprovals: 0, approverRole: 'approver' as const } };
      spec
        .given([requested(noApprovals), approved([], noApprovals)])
        .when(markApplied)
        .then([applied]);
    });

    it('refuses before approval or after another outcome', () => {
      spec.given([requested()]).when(markApplied).thenThrows('CONFLICT', 'transition is pending');
      spec
        .given([requested(), given('bob')])
        .when(markFailed)
        .thenThrows('CONFLICT', 'transition is pending');
      spec.given([requested(), rejected]).when(markApplied).thenThrows('CONFLICT', 'transition is rejected');
      spec.given([requested(), cancelled]).when(markFailed).thenThrows('CONFLICT', 'transition is cancelled');
      spec
        .given([...approvedHistory, failed])
        .when(markApplied)
        .thenThrows('CONFLICT', 'transition is failed');
      spec
        .given([...approvedHistory, applied])
        .when(markFailed)
        .thenThrows('CONFLICT', 'transition is applied');
    });
  });

  it('folds status, approvers and outcome', () => {
    expect(fold(transitionDecider, [])).toEqual({ status: 'none' });
    expect(fold(transitionDecider, [requested(), given('bob')])).toEqual({ status: 'pending', request: requestData(), approvers: ['bob'] });
    expect(fold(transitionDecider, [requested(), given('bob'), given('cat'), approved(['bob', 'cat']), failed])).toEqual({
      status: 'failed',
      request: requestData(),
      approvers: ['bob', 'cat'],
      failureReason: 'version is in archived, not staging',
    });
    expect(fold(transitionDecider, [requested(), rejected])).toMatchObject({ status: 'rejected', closedBy: 'bob' });
    expect(fold(transitionDecider, [requested(), cancelled])).toMatchObject({ status: 'cancelled', closedBy: 'ann' });
  });
});
