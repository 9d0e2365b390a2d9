import { fold } from '@mreg/shared/contracts';
import { DEFAULT_APPROVAL_POLICY, type ApprovalPolicy, type PolicyEvent, type Role, type StageRule } from '@mreg/shared/contracts';
import { deciderSpec } from '@mreg/testing/contracts';
import { approvalPolicyDecider, ruleForMove, type ApprovalPolicyCommand } from './approval-policy.decider';

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
    spec
      .given([])
      .when(set(strict))
      .then([policySet(strict)]);
    spec
      .given([])
      .when(set(strict))
      .thenState((state) => expect(state.policy.production).toEqual({ requiredApprovals: 2, approverRole: 'admin' }));
  });

  it('does nothing for the policy already set', () => {
    spec
      .given([policySet(strict)])
      .when(set({ ...strict }))
      .thenNothingHappens();
    spec
      .given([policySet(DEFAULT_APPROVAL_POLICY)])
      .when(set(DEFAULT_APPROVAL_POLICY))
      .thenNothingHappens();
  });

  it('records a first policy equal to the built-in one: the model keeps it whatever the registry default becomes', () => {
    spec
      .given([])
      .when(set(DEFAULT_APPROVAL_POLICY))
      .then([policySet(DEFAULT_APPROVAL_POLICY)]);
    spec
      .given([])
      .when(set(DEFAULT_APPROVAL_POLICY))
      .thenState((state) => expect(state.customized).toBe(true));
  });

  it('goes back to a default-equal policy once customized', () => {
    spec
      .given([policySet(strict)])
      .when(set(DEFAULT_APPROVAL_POLICY))
      .then([policySet(DEFAULT_APPROVAL_POLICY)]);
  });

  it('accepts 0 to 10 approvals', () => {
    spec
      .given([])
      .when(set(withProduction({ requiredApprovals: 0, approverRole: 'approver' })))
      .then([policySet(withProduction({ requiredApprovals: 0, approverRole: 'approver' }))]);
    spec
      .given([])
      .when(set(withProduction({ requiredApprovals: 10, approverRole: 'approver' })))
      .then([policySet(withProduction({ requiredApprovals: 10, approverRole: 'approver' }))]);
  });

  it.each([-1, 11, 1.5, Number.NaN])('refuses %p required approvals', (requiredApprovals) => {
    spec
      .given([])
      .when(set(withProduction({ requiredApprovals, approverRole: 'approver' })))
      .thenThrows('INVALID_ARGUMENT', 'production: requiredApprovals');
  });

  it.each(['contributor', 'approver', 'admin'] as const)('accepts %s as approver role', (approverRole) => {
    spec
      .given([])
      .when(set(withProduction({ requiredApprovals: 2, approverRole })))
      .then([policySet(withProduction({ requiredApprovals: 2, approverRole }))]);
  });

  it('refuses reader, or an unknown role, as approver role', () => {
    spec
      .given([])
      .when(set(withProduction({ requiredApprovals: 1, approverRole: 'reader' })))
      .thenThrows('INVALID_ARGUMENT', 'approverRole');
    spec
      .given([])
      .when(set(withProduction({ requiredApprovals: 1, approverRole: 'owner' as Role })))
      .thenThrows('INVALID_ARGUMENT');
  });

  it('refuses a policy missing a stage', () => {
    const { archived: _archived, ...partial } = DEFAULT_APPROVAL_POLICY;
    spec
      .given([])
      .when(set(partial as ApprovalPolicy))
      .thenThrows('INVALID_ARGUMENT', 'no rule for archived');
  });

  it('stores only the known stages and fields', () => {
    const noisy = { ...DEFAULT_APPROVAL_POLICY, production: { requiredApprovals: 3, approverRole: 'approver', note: 'x' }, extra: {} } as unknown as ApprovalPolicy;
    spec
      .given([])
      .when(set(noisy))
      .then([policySet(withProduction({ requiredApprovals: 3, approverRole: 'approver' }))]);
  });
});

describe('changing some stages of a policy', () => {
  const change = (changes: Partial<ApprovalPolicy>, inForce: ApprovalPolicy = DEFAULT_APPROVAL_POLICY): ApprovalPolicyCommand => ({
    type: 'ChangeApprovalPolicy',
    data: { modelId, changes, inForce },
  });
  const open: StageRule = { requiredApprovals: 0, approverRole: 'approver' };

  it('changes the named stages of the policy in force and keeps the others', () => {
    spec
      .given([policySet(strict)])
      .when(change({ staging: open }))
      .then([policySet({ ...strict, staging: open })]);
  });

  it('starts from the policy the model follows (the registry default) while it has none of its own', () => {
    const registryDefault = withProduction({ requiredApprovals: 3, approverRole: 'approver' });
    spec
      .given([])
      .when(change({ staging: open }, registryDefault))
      .then([policySet({ ...registryDefault, staging: open })]);
  });

  it('does nothing when the change changes nothing, and refuses a bad rule', () => {
    spec
      .given([policySet(strict)])
      .when(change({ production: strict.production }))
      .thenNothingHappens();
    spec
      .given([policySet(strict)])
      .when(change({ staging: { requiredApprovals: 11, approverRole: 'approver' } }))
      .thenThrows('INVALID_ARGUMENT');
  });
});

describe('the rule for a move', () => {
  const policy: ApprovalPolicy = {
    development: { requiredApprovals: 0, approverRole: 'approver' },
    staging: { requiredApprovals: 1, approverRole: 'approver' },
    production: { requiredApprovals: 2, approverRole: 'admin' },
    archived: { requiredApprovals: 0, approverRole: 'approver' },
  };

  it("is the target stage's rule for moves that do not leave production", () => {
    expect(ruleForMove(policy, 'development', 'staging')).toEqual(policy.staging);
    expect(ruleForMove(policy, 'staging', 'production')).toEqual(policy.production);
    expect(ruleForMove(policy, 'staging', 'archived')).toEqual(policy.archived);
  });

  it("takes a version out of production only under production's rule (or a stricter target rule)", () => {
    expect(ruleForMove(policy, 'production', 'archived')).toEqual(policy.production);
    expect(ruleForMove(policy, 'production', 'development')).toEqual(policy.production);
    const stricterArchive = { ...policy, archived: { requiredApprovals: 3, approverRole: 'approver' as Role } };
    expect(ruleForMove(stricterArchive, 'production', 'archived')).toEqual(stricterArchive.archived);
  });

  it('makes leaving production need an approval under the built-in default', () => {
    expect(ruleForMove(DEFAULT_APPROVAL_POLICY, 'production', 'archived').requiredApprovals).toBeGreaterThan(0);
  });
});
