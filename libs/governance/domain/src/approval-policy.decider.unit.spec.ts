import { fold } from '@mreg/shared/contracts';
import { DEFAULT_APPROVAL_POLICY, type ApprovalPolicy, type PolicyEvent, type ProtectedAliases, type Role, type Stage, type StageRule } from '@mreg/shared/contracts';
import { deciderSpec } from '@mreg/testing/contracts';
import { MAX_PROTECTED_ALIASES, approvalPolicyDecider, protectedAliasesProblem, protectionOf, ruleForMove, type AliasProtectionChanges, type ApprovalPolicyCommand, type PolicyInForce } from './approval-policy.decider';

const spec = deciderSpec(approvalPolicyDecider);
const modelId = 'm1';
const strict: ApprovalPolicy = { ...DEFAULT_APPROVAL_POLICY, production: { requiredApprovals: 2, approverRole: 'admin' } };
const set = (policy: ApprovalPolicy, protectedAliases: ProtectedAliases = {}): ApprovalPolicyCommand => ({ type: 'SetApprovalPolicy', data: { modelId, policy, protectedAliases } });
const policySet = (policy: ApprovalPolicy): PolicyEvent => ({ type: 'ApprovalPolicySet', data: { modelId, policy } });
const aliasesSet = (protectedAliases: ProtectedAliases): PolicyEvent => ({ type: 'ProtectedAliasesSet', data: { modelId, protectedAliases } });
const champion: ProtectedAliases = { champion: { stage: 'production', role: 'approver' } };
const withProduction = (rule: StageRule): ApprovalPolicy => ({ ...DEFAULT_APPROVAL_POLICY, production: rule });

describe('approval policy', () => {
  it('starts from the default policy', () => {
    expect(fold(approvalPolicyDecider, [])).toEqual({ policy: DEFAULT_APPROVAL_POLICY, protectedAliases: {}, customized: false });
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
    data: { modelId, changes, aliasChanges: {}, inForce: { policy: inForce, protectedAliases: {} } },
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

describe('protected aliases', () => {
  const challenger: ProtectedAliases = { challenger: { stage: 'staging', role: 'contributor' } };
  const change = (aliasChanges: AliasProtectionChanges, inForce: PolicyInForce = { policy: DEFAULT_APPROVAL_POLICY, protectedAliases: {} }, changes: Partial<ApprovalPolicy> = {}): ApprovalPolicyCommand => ({
    type: 'ChangeApprovalPolicy',
    data: { modelId, changes, aliasChanges, inForce },
  });

  it('protects the aliases a complete policy names, after pinning its stage rules', () => {
    spec
      .given([])
      .when(set(DEFAULT_APPROVAL_POLICY, champion))
      .then([policySet(DEFAULT_APPROVAL_POLICY), aliasesSet(champion)]);
    spec
      .given([])
      .when(set(DEFAULT_APPROVAL_POLICY, champion))
      .thenState((state) => expect(protectionOf(state, 'champion')).toEqual({ stage: 'production', role: 'approver' }));
  });

  it('records only what changed, and nothing for the policy already in force', () => {
    spec
      .given([policySet(strict)])
      .when(set(strict, champion))
      .then([aliasesSet(champion)]);
    spec
      .given([policySet(strict), aliasesSet(champion)])
      .when(set(DEFAULT_APPROVAL_POLICY, champion))
      .then([policySet(DEFAULT_APPROVAL_POLICY)]);
    spec
      .given([policySet(strict), aliasesSet(champion)])
      .when(set(strict, { champion: { role: 'approver', stage: 'production' } }))
      .thenNothingHappens();
  });

  it('frees every alias when a complete policy names none', () => {
    spec
      .given([policySet(strict), aliasesSet(champion)])
      .when(set(strict, {}))
      .then([aliasesSet({})]);
    spec
      .given([policySet(strict), aliasesSet(champion), aliasesSet({})])
      .when(set(strict, {}))
      .thenNothingHappens();
  });

  it('stores the protections by alias name, with only the known fields', () => {
    const noisy = { zeta: { stage: 'staging', role: 'admin' }, champion: { stage: 'production', role: 'approver' } } as ProtectedAliases;
    spec
      .given([])
      .when(set(DEFAULT_APPROVAL_POLICY, noisy))
      .thenState((state) => expect(Object.keys(state.protectedAliases)).toEqual(['champion', 'zeta']));
  });

  it.each<[string, unknown, string]>([
    ['an invalid alias name', { Champion: champion.champion }, 'alias must start with'],
    ['a reserved alias name', { latest: champion.champion }, 'reserved'],
    ['a digits-only alias name', { '42': champion.champion }, 'only digits'],
    ['an unknown stage', { champion: { stage: 'live', role: 'approver' } }, 'stage must be one of'],
    ['the reader role', { champion: { stage: 'production', role: 'reader' } }, 'role must be one of contributor, approver, admin'],
    ['a missing role', { champion: { stage: 'production' } }, 'role must be one of'],
    ['an unknown field', { champion: { stage: 'production', role: 'approver', note: 'x' } }, 'unknown field "note"'],
    ['a protection that is no object', { champion: 'production' }, 'a protection is an object'],
    ['a removal in a complete policy', { champion: null }, 'a protection is an object'],
    ['a list', [champion.champion], 'must be a JSON object'],
  ])('refuses %s', (_label, protectedAliases, message) => {
    spec
      .given([])
      .when(set(DEFAULT_APPROVAL_POLICY, protectedAliases as ProtectedAliases))
      .thenThrows('INVALID_ARGUMENT', message);
  });

  it(`protects at most ${MAX_PROTECTED_ALIASES} aliases`, () => {
    const many = (n: number): ProtectedAliases => Object.fromEntries(Array.from({ length: n }, (_, i) => [`alias-${i}`, champion.champion]));
    spec
      .given([])
      .when(set(DEFAULT_APPROVAL_POLICY, many(MAX_PROTECTED_ALIASES)))
      .thenState((state) => expect(Object.keys(state.protectedAliases)).toHaveLength(MAX_PROTECTED_ALIASES));
    spec
      .given([])
      .when(set(DEFAULT_APPROVAL_POLICY, many(MAX_PROTECTED_ALIASES + 1)))
      .thenThrows('INVALID_ARGUMENT', `at most ${MAX_PROTECTED_ALIASES}`);
    spec
      .given([policySet(DEFAULT_APPROVAL_POLICY), aliasesSet(many(MAX_PROTECTED_ALIASES))])
      .when(change({ one: champion.champion }))
      .thenThrows('INVALID_ARGUMENT', `at most ${MAX_PROTECTED_ALIASES}`);
  });

  it('protects, re-protects and frees the aliases a change names, keeping the others', () => {
    spec
      .given([policySet(strict), aliasesSet(champion)])
      .when(change(challenger))
      .then([aliasesSet({ ...challenger, ...champion })]);
    spec
      .given([policySet(strict), aliasesSet({ ...champion, ...challenger })])
      .when(change({ champion: null, challenger: { stage: 'production', role: 'admin' } }))
      .then([aliasesSet({ challenger: { stage: 'production', role: 'admin' } })]);
  });

  it('does nothing when a change changes nothing: freeing a free alias, repeating a protection', () => {
    spec
      .given([policySet(strict), aliasesSet(champion)])
      .when(change({ challenger: null }))
      .thenNothingHappens();
    spec
      .given([policySet(strict), aliasesSet(champion)])
      .when(change(champion))
      .thenNothingHappens();
  });

  it("changes a model's stage rules and protections in one step", () => {
    spec
      .given([policySet(DEFAULT_APPROVAL_POLICY)])
      .when(change(champion, undefined, { production: strict.production }))
      .then([policySet(strict), aliasesSet(champion)]);
  });

  it('starts from the default in force while the model has no policy of its own, and pins its protections', () => {
    const registryDefault: PolicyInForce = { policy: DEFAULT_APPROVAL_POLICY, protectedAliases: champion };
    spec
      .given([])
      .when(change(challenger, registryDefault))
      .then([policySet(DEFAULT_APPROVAL_POLICY), aliasesSet({ ...challenger, ...champion })]);
    spec
      .given([])
      .when(change({ champion: null }, registryDefault))
      .then([policySet(DEFAULT_APPROVAL_POLICY)]);
  });

  it('refuses a change with a bad alias or protection, null aside', () => {
    spec
      .given([])
      .when(change({ 'Not-An-Alias': null }))
      .thenThrows('INVALID_ARGUMENT', 'alias must');
    spec
      .given([])
      .when(change({ champion: { stage: 'production', role: 'reader' } }))
      .thenThrows('INVALID_ARGUMENT', 'role must be one of');
  });

  it('finds no protection for an alias the policy does not name, object members included', () => {
    const policy: PolicyInForce = { policy: DEFAULT_APPROVAL_POLICY, protectedAliases: champion };
    expect(protectionOf(policy, 'champion')).toEqual({ stage: 'production', role: 'approver' });
    for (const alias of ['challenger', 'constructor', 'toString', 'hasOwnProperty']) expect(protectionOf(policy, alias)).toBeUndefined();
  });

  it('describes the problem of a body the way the decider refuses it (one check for both)', () => {
    const production: Stage = 'production';
    expect(protectedAliasesProblem({ champion: { stage: production, role: 'approver' } }, { removals: false })).toBeUndefined();
    expect(protectedAliasesProblem({ champion: null }, { removals: true })).toBeUndefined();
    expect(protectedAliasesProblem({ champion: null }, { removals: false })).toMatch(/"champion": a protection is an object/);
    expect(protectedAliasesProblem(null, { removals: true })).toMatch(/must be a JSON object/);
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
