import { fold } from '@mreg/shared/contracts';
import { DEFAULT_APPROVAL_POLICY, type ApprovalPolicy, type PolicyEvent, type Role, type StageRule } from '@mreg/shared/contracts';
import { deciderSpec } from '@mreg/testing/contracts';
import { approvalPolicyDecider, type ApprovalPolicyCommand } from './approval-policy.decider';

const spec = deciderSpec(approvalPolicyDecider);
const modelId = 'm1';
const strict: ApprovalPolicy = { ...DEFAULT_APPROVAL_POLICY, production: { requiredApprovals: 2, approverRole: 'admin' } };
const set = (policy: ApprovalPolicy): ApprovalPolicyCommand => ({ type: 'SetApprovalPolicy', data: { modelId, policy } });
const policySet = (policy: ApprovalPolicy): PolicyEvent => ({ type: 'ApprovalPolicySet', data: { modelId, policy } });
const withProduction = (rule: StageRule): ApprovalPolicy => ({ ...DEFAULT_APPROVAL_POLICY, production: rule });

describe('approval policy', () => {
  it('starts from the default policy', () => {
    expect(fold(approvalPolicyDecider, [])).toEqual({ policy: DEFAULT_APPROVAL_POLICY, customized: false });
    expect(fold(approvalPolicyDecider, []).policy.production).toEqual(DEFAULT_APPROVAL_POLICY.production);
  });

  it('sets a policy', () => {
    spec.given([]).when(set(strict)).then([policySet(strict)]);
    spec.given([]).when(set(strict)).thenState((state) => expect(state.policy.production).toEqual({ requiredApprovals: 2, approverRole: 'admin' }));
  });

  it('does nothing for the policy already set', () => {
    spec.given([policySet(strict)]).when(set({ ...strict })).thenNothingHappens();
    spec.given([policySet(DEFAULT_APPROVAL_POLICY)]).when(set(DEFAULT_APPROVAL_POLICY)).thenNothingHappens();
  });

  it('records a first policy equal to the built-in one: the model keeps it whatever the registry default becomes', () => {
    spec.given([]).when(set(DEFAULT_APPROVAL_POLICY)).then([policySet(DEFAULT_APPROVAL_POLICY)]);
    spec.given([]).when(set(DEFAULT_APPROVAL_POLICY)).thenState((state) => expect(state.customized).toBe(true));
  });

  it('goes back to a default-equal policy once customized', () => {
    spec.given([policySet(strict)]).when(set(DEFAULT_APPROVAL_POLICY)).then([policySet(DEFAULT_APPROVAL_POLICY)]);
  });

  it('accepts 0 to 10 approvals', () => {
    spec.given([]).when(set(withProduction({ requiredApprovals: 0, approverRole: 'approver' }))).then([policySet(withProduction({ requiredApprovals: 0, approverRole: 'approver' }))]);
    spec.given([]).when(set(withProduction({ requiredApprovals: 10, approverRole: 'approver' }))).then([policySet(withProduction({ requiredApprovals: 10, approverRole: 'approver' }))]);
  });

  it.each([-1, 11, 1.5, Number.NaN])('refuses %p required approvals', (requiredApprovals) => {
    spec.given([]).when(set(withProduction({ requiredApprovals, approverRole: 'approver' }))).thenThrows('INVALID_ARGUMENT', 'production: requiredApprovals');
  });

  it.each(['contributor', 'approver', 'admin'] as const)('accepts %s as approver role', (approverRole) => {
    spec.given([]).when(set(withProduction({ requiredApprovals: 2, approverRole }))).then([policySet(withProduction({ requiredApprovals: 2, approverRole }))]);
  });

  it('refuses reader, or an unknown role, as approver role', () => {
    spec.given([]).when(set(withProduction({ requiredApprovals: 1, approverRole: 'reader' }))).thenThrows('INVALID_ARGUMENT', 'approverRole');
    spec.given([]).when(set(withProduction({ requiredApprovals: 1, approverRole: 'owner' as Role }))).thenThrows('INVALID_ARGUMENT');
  });

  it('refuses a policy missing a stage', () => {
    const { archived: _archived, ...partial } = DEFAULT_APPROVAL_POLICY;
    spec.given([]).when(set(partial as ApprovalPolicy)).thenThrows('INVALID_ARGUMENT', 'no rule for archived');
  });

  it('stores only the known stages and fields', () => {
    const noisy = { ...DEFAULT_APPROVAL_POLICY, production: { requiredApprovals: 3, approverRole: 'approver', note: 'x' }, extra: {} } as unknown as ApprovalPolicy;
    spec.given([]).when(set(noisy)).then([policySet(withProduction({ requiredApprovals: 3, approverRole: 'approver' }))]);
  });
});
