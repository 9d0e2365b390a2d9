import { scenario } from '../scenarios';
import { uniqueName } from '../registry-client';
import type { RegistryClient, Reply } from '../registry-client';
import { API, DEFAULT_POLICY, createModel, createVersion, expectError, expectStatus, getModel, getVersion, grant, historyOf, modelPath, promote, requestTransition, approve, versionPath } from '../fixtures';
import type { AliasProtectionBody, PolicyBody } from '../fixtures';

// A model's approval policy may protect aliases (`champion`): only a holder of the named role, or an admin, moves
// or removes them, and only onto a version in the named stage. Every other alias stays free, as in MLflow.

const MLFLOW = '/api/2.0/mlflow';
const CHAMPION: AliasProtectionBody = { stage: 'production', role: 'approver' };

scenario('protected aliases: a policy names the aliases only an approver moves, onto a version in a stage', (client) => {
  const alice = () => client().as('alice'); // contributor
  const bob = () => client().as('bob'); // approver
  const carol = () => client().as('carol'); // reader
  const dave = () => client().as('dave'); // approver and contributor
  const admin = () => client().as('admin');
  const aliasPath = (name: string, alias: string) => `${modelPath(name)}/aliases/${alias}`;
  const policyPath = (name: string) => `${modelPath(name)}/policy`;
  const mlflow = <T>(c: RegistryClient, method: string, route: string, json: unknown) => c.request<T>(method, `${MLFLOW}/${route}`, { json });
  const eventIds = async (name: string) => (await historyOf(alice(), name)).map((e) => e.eventId);

  /** Versions 1 (production), 2 (staging) and 3 (development); champion protected for approvers, into production. */
  const guardedModel = async (): Promise<string> => {
    const name = uniqueName('guarded');
    await createModel(alice(), name);
    for (let i = 0; i < 3; i++) await createVersion(alice(), name);
    await promote(alice(), bob(), name, 1, 'production');
    await promote(alice(), bob(), name, 2, 'staging');
    expectStatus(await admin().patch(policyPath(name), { protectedAliases: { champion: CHAMPION } }), 200);
    return name;
  };

  it('shows the protection in the policy; PATCH adds, changes and removes protections, each change in history', async () => {
    const name = uniqueName('guarded');
    await createModel(alice(), name);
    const before = await alice().get<PolicyBody>(policyPath(name));
    expectStatus(before, 200);
    expect(before.body.policy).toEqual(DEFAULT_POLICY);

    const patched = await admin().patch<PolicyBody>(policyPath(name), { protectedAliases: { champion: CHAMPION } });
    expectStatus(patched, 200);
    expect(patched.body).toEqual({ model: name, policy: { ...DEFAULT_POLICY, protectedAliases: { champion: CHAMPION } } });
    expect((await carol().get<PolicyBody>(policyPath(name))).body).toEqual(patched.body);

    const challenger: AliasProtectionBody = { stage: 'staging', role: 'contributor' };
    const both = await admin().patch<PolicyBody>(policyPath(name), { protectedAliases: { challenger } });
    expect(both.body.policy.protectedAliases).toEqual({ challenger, champion: CHAMPION });
    const freed = await admin().patch<PolicyBody>(policyPath(name), { protectedAliases: { champion: null, challenger: CHAMPION } });
    expect(freed.body.policy.protectedAliases).toEqual({ challenger: CHAMPION });

    // The first change pinned the stage rules in force (the model's own policy from then on) and protected champion.
    const changes = (await historyOf(alice(), name)).filter((e) => e.stream.startsWith('policy-'));
    expect(changes.map((e) => [e.type, e.actor, e.data['protectedAliases']])).toEqual([
      ['ApprovalPolicySet', 'root', undefined],
      ['ProtectedAliasesSet', 'root', { champion: CHAMPION }],
      ['ProtectedAliasesSet', 'root', { challenger, champion: CHAMPION }],
      ['ProtectedAliasesSet', 'root', { challenger: CHAMPION }],
    ]);

    // Repeating what is in force, or freeing a free alias, records nothing.
    const recorded = await eventIds(name);
    expectStatus(await admin().patch(policyPath(name), { protectedAliases: { challenger: CHAMPION, champion: null } }), 200);
    expectStatus(await admin().patch(policyPath(name), { archived: DEFAULT_POLICY.archived }), 200);
    expect(await eventIds(name)).toEqual(recorded);

    // PUT replaces all of it: a complete policy names its protected aliases, {} for none.
    const { protectedAliases: _none, ...stagesOnly } = DEFAULT_POLICY;
    const refused = await admin().put(policyPath(name), stagesOnly);
    expectError(refused, 400, 'INVALID_ARGUMENT');
    expect(JSON.stringify(refused.body)).toContain('protectedAliases');
    const put = await admin().put<PolicyBody>(policyPath(name), { ...DEFAULT_POLICY, protectedAliases: {} });
    expectStatus(put, 200);
    expect(put.body.policy).toEqual(DEFAULT_POLICY);
    expect((await historyOf(alice(), name)).at(-1)).toMatchObject({ type: 'ProtectedAliasesSet', actor: 'root', data: { protectedAliases: {} } });
  });

  it.each<[string, unknown]>([
    ['an invalid alias name', { Champion: CHAMPION }],
    ['a reserved alias name', { latest: CHAMPION }],
    ['an unknown stage', { champion: { stage: 'live', role: 'approver' } }],
    ['the reader role', { champion: { stage: 'production', role: 'reader' } }],
    ['an unknown field', { champion: { ...CHAMPION, until: '2030-01-01' } }],
    ['a protection without a role', { champion: { stage: 'production' } }],
    ['more than 20 aliases', Object.fromEntries(Array.from({ length: 21 }, (_, i) => [`alias-${i}`, CHAMPION]))],
    ['a list', [CHAMPION]],
    ['null', null],
  ])('refuses a policy protecting with %s (400), and changes nothing', async (_label, protectedAliases) => {
    const name = uniqueName('guarded');
    await createModel(alice(), name);
    expectError(await admin().patch(policyPath(name), { protectedAliases }), 400, 'INVALID_ARGUMENT');
    expectError(await admin().put(policyPath(name), { ...DEFAULT_POLICY, protectedAliases }), 400, 'INVALID_ARGUMENT');
    expect((await alice().get<PolicyBody>(policyPath(name))).body.policy).toEqual(DEFAULT_POLICY);
  });

  it('lets only an admin or those who manage the model change the protections (403 for everyone else)', async () => {
    const name = uniqueName('guarded');
    await createModel(alice(), name);
    await grant(alice(), name, 'user:dave', 'write');
    for (const who of [bob(), carol(), dave()]) {
      expectError(await who.patch(policyPath(name), { protectedAliases: { champion: CHAMPION } }), 403, 'PERMISSION_DENIED');
    }
    expect((await alice().get<PolicyBody>(policyPath(name))).body.policy.protectedAliases).toEqual({});
    // alice registered it, so she manages it: she may protect its aliases.
    expectStatus(await alice().patch(policyPath(name), { protectedAliases: { champion: CHAMPION } }), 200);
    expect((await carol().get<PolicyBody>(policyPath(name))).body.policy.protectedAliases).toEqual({ champion: CHAMPION });
  });

  it('leaves the aliases a policy does not name free for contributors', async () => {
    const name = await guardedModel();
    expectStatus(await alice().put(aliasPath(name, 'challenger'), { version: 3 }), 200);
    expectStatus(await alice().put(aliasPath(name, 'challenger'), { version: 2 }), 200);
    expectStatus(await alice().put(aliasPath(name, 'shadow'), { version: 1 }), 200);
    expectStatus(await alice().delete(aliasPath(name, 'shadow')), 204);
    expect((await getModel(alice(), name)).aliases).toEqual({ challenger: 2 });
    // An approver who is no contributor moves only the aliases protected for approvers.
    expectError(await bob().put(aliasPath(name, 'challenger'), { version: 1 }), 403, 'PERMISSION_DENIED');
    expectError(await bob().delete(aliasPath(name, 'challenger')), 403, 'PERMISSION_DENIED');
  });

  it('refuses a contributor moving or removing a protected alias (403), recording nothing', async () => {
    const name = await guardedModel();
    const recorded = await eventIds(name);
    const refused = await alice().put(aliasPath(name, 'champion'), { version: 1 });
    expectError(refused, 403, 'PERMISSION_DENIED');
    expect((refused.body as { error: { message: string } }).error.message).toContain('protected');
    expectError(await alice().put(aliasPath(name, 'champion'), { version: 3 }), 403, 'PERMISSION_DENIED');
    expectError(await carol().put(aliasPath(name, 'champion'), { version: 1 }), 403, 'PERMISSION_DENIED');
    expect(await eventIds(name)).toEqual(recorded);
    expect((await getModel(alice(), name)).aliases).toEqual({});

    expectStatus(await admin().put(aliasPath(name, 'champion'), { version: 1 }), 200);
    const assigned = await eventIds(name);
    expectError(await alice().delete(aliasPath(name, 'champion')), 403, 'PERMISSION_DENIED');
    expectError(await alice().put(aliasPath(name, 'champion'), { version: 1 }), 403, 'PERMISSION_DENIED');
    expect(await eventIds(name)).toEqual(assigned);
    expect((await getModel(alice(), name)).aliases).toEqual({ champion: 1 });
  });

  it('refuses an approver pointing it at a version outside the stage (409), and lets them point it at a production version', async () => {
    const name = await guardedModel();
    const recorded = await eventIds(name);
    for (const version of [2, 3]) {
      const refused = await bob().put(aliasPath(name, 'champion'), { version });
      expectError(refused, 409, 'FAILED_PRECONDITION');
      expect((refused.body as { error: { message: string } }).error.message).toMatch(/only at a version in production.*is in (staging|development)/);
    }
    expectError(await admin().put(aliasPath(name, 'champion'), { version: 2 }), 409, 'FAILED_PRECONDITION');
    expectError(await bob().put(aliasPath(name, 'champion'), { version: 99 }), 404, 'NOT_FOUND');
    expect(await eventIds(name)).toEqual(recorded);

    const set = await bob().put<{ alias: string; version: { version: number; aliases: string[] } }>(aliasPath(name, 'champion'), { version: 1 });
    expectStatus(set, 200);
    expect(set.body).toMatchObject({ alias: 'champion', version: { version: 1, aliases: ['champion'] } });
    expect((await historyOf(alice(), name)).at(-1)).toMatchObject({ type: 'AliasAssigned', actor: 'bob', data: { alias: 'champion', version: 1 } });

    // The stage is the version's at the moment of the move: once version 2 is in production, it may take the alias.
    await promote(alice(), bob(), name, 2, 'production');
    expectStatus(await dave().put(aliasPath(name, 'champion'), { version: 2 }), 200);
    expect((await getModel(alice(), name)).aliases).toEqual({ champion: 2 });
  });

  it('lets only the role remove a protected alias, and a version it names is not deleted around it', async () => {
    const name = await guardedModel();
    expectStatus(await bob().put(aliasPath(name, 'champion'), { version: 1 }), 200);
    expectError(await alice().delete(aliasPath(name, 'champion')), 403, 'PERMISSION_DENIED');
    expectStatus(await bob().delete(aliasPath(name, 'champion')), 204);
    expect((await historyOf(alice(), name)).at(-1)).toMatchObject({ type: 'AliasRemoved', actor: 'bob', data: { alias: 'champion', version: 1 } });
    expect((await getModel(alice(), name)).aliases).toEqual({});
    expectError(await bob().delete(aliasPath(name, 'champion')), 404, 'NOT_FOUND');

    // Deleting a version removes its aliases: not a way around the protection.
    expectStatus(await admin().patch(policyPath(name), { protectedAliases: { candidate: { stage: 'staging', role: 'approver' } } }), 200);
    expectStatus(await bob().put(aliasPath(name, 'candidate'), { version: 2 }), 200);
    const recorded = await eventIds(name);
    expectError(await alice().delete(versionPath(name, 2)), 403, 'PERMISSION_DENIED');
    expect(await eventIds(name)).toEqual(recorded);
    expect((await getVersion(alice(), name, 2)).aliases).toEqual(['candidate']);
    await grant(alice(), name, 'user:dave', 'write');
    expectStatus(await dave().delete(versionPath(name, 2)), 204);
    expect((await getModel(alice(), name)).aliases).toEqual({});
  });

  it('guards the MLflow routes by the same rule', async () => {
    const name = await guardedModel();
    const recorded = await eventIds(name);
    const expectMlflowError = (reply: Reply<unknown>, status: number, code: string) => expect({ status: reply.status, body: reply.body }).toMatchObject({ status, body: { error_code: code, message: expect.any(String) } });
    expectMlflowError(await mlflow(alice(), 'POST', 'registered-models/alias', { name, alias: 'champion', version: '1' }), 403, 'PERMISSION_DENIED');
    expectMlflowError(await mlflow(bob(), 'POST', 'registered-models/alias', { name, alias: 'champion', version: '2' }), 409, 'INVALID_STATE');
    expect(await eventIds(name)).toEqual(recorded);

    expectStatus(await mlflow(bob(), 'POST', 'registered-models/alias', { name, alias: 'champion', version: '1' }), 200);
    const byAlias = await alice().get<{ model_version: { version: string; aliases: string[] } }>(`${MLFLOW}/registered-models/alias?name=${encodeURIComponent(name)}&alias=champion`);
    expect(byAlias.body.model_version).toMatchObject({ version: '1', aliases: ['champion'] });
    expectMlflowError(await mlflow(alice(), 'DELETE', 'registered-models/alias', { name, alias: 'champion' }), 403, 'PERMISSION_DENIED');
    expect((await getModel(alice(), name)).aliases).toEqual({ champion: 1 });
    expectStatus(await mlflow(bob(), 'DELETE', 'registered-models/alias', { name, alias: 'champion' }), 200);
    expect((await getModel(alice(), name)).aliases).toEqual({});

    // A free alias through MLflow, as MLflow has it.
    expectStatus(await mlflow(alice(), 'POST', 'registered-models/alias', { name, alias: 'challenger', version: '3' }), 200);
    expect((await getModel(alice(), name)).aliases).toEqual({ challenger: 3 });
  });

  it('protects an alias of every model without a policy of its own through the registry-wide default', async () => {
    const crown = uniqueName('crown');
    const pinned = uniqueName('pinned');
    await createModel(alice(), pinned);
    await createVersion(alice(), pinned);
    // A policy of its own, from before the default protected anything: it protects nothing.
    expectStatus(await admin().patch(policyPath(pinned), { staging: DEFAULT_POLICY.staging }), 200);
    const following = uniqueName('following');
    await createModel(alice(), following);
    await createVersion(alice(), following);

    const before = await admin().get<{ policy: PolicyBody['policy'] }>(`${API}/policy`);
    expectStatus(before, 200);
    try {
      const set = await admin().patch<{ policy: PolicyBody['policy'] }>(`${API}/policy`, { protectedAliases: { [crown]: CHAMPION } });
      expectStatus(set, 200);
      expect(set.body.policy.protectedAliases).toMatchObject({ [crown]: CHAMPION });
      expect((await alice().get<PolicyBody>(policyPath(following))).body.policy.protectedAliases).toMatchObject({ [crown]: CHAMPION });

      expectError(await alice().put(aliasPath(following, crown), { version: 1 }), 403, 'PERMISSION_DENIED');
      expectError(await bob().put(aliasPath(following, crown), { version: 1 }), 409, 'FAILED_PRECONDITION');
      expectStatus(await alice().put(aliasPath(pinned, crown), { version: 1 }), 200);

      // A model that takes a policy of its own now keeps the default's protections in it.
      expectStatus(await admin().patch(policyPath(following), { staging: DEFAULT_POLICY.staging }), 200);
      expectError(await alice().put(aliasPath(following, crown), { version: 1 }), 403, 'PERMISSION_DENIED');
      const approved = await approve(bob(), (await requestTransition(alice(), following, 1, 'production')).id);
      expect(approved.status).toBe('applied');
      expectStatus(await bob().put(aliasPath(following, crown), { version: 1 }), 200);
    } finally {
      expectStatus(await admin().put(`${API}/policy`, before.body.policy), 200);
    }
    expect((await admin().get<{ policy: PolicyBody['policy'] }>(`${API}/policy`)).body.policy).toEqual(before.body.policy);
  });
});
