import { scenario } from '../scenarios';
import { uniqueName } from '../registry-client';
import type { RegistryClient } from '../registry-client';
import type { ErrorCode } from '@mreg/shared/contracts';
import { API, DEFAULT_POLICY, approve, createModel, createVersion, expectError, expectStatus, getVersion, grant, historyOf, modelPath, promote, query, requestTransition, versionPath } from '../fixtures';
import type { Page, PolicyBody, TransitionBody } from '../fixtures';

scenario('transitions and approval policy', (client) => {
  const alice = () => client().as('alice');
  const bob = () => client().as('bob');
  const carol = () => client().as('carol');
  const dave = () => client().as('dave');
  const admin = () => client().as('admin');
  const transitionPath = (id: string, action?: string) => `${API}/transitions/${id}${action ? `/${action}` : ''}`;
  /** Each caller's action on the request is answered with this error. */
  const refused = async (id: string, status: number, code: ErrorCode, ...calls: (readonly [() => RegistryClient, 'approve' | 'reject' | 'cancel'])[]) => {
    for (const [caller, action] of calls) expectError(await caller().post(transitionPath(id, action), {}), status, code);
  };

  const withVersions = async (count: number) => {
    const name = uniqueName('stage');
    await createModel(alice(), name);
    // dave works on alice's models too (requests on them).
    await grant(alice(), name, 'user:dave', 'write');
    for (let i = 0; i < count; i++) await createVersion(alice(), name);
    return name;
  };

  it('applies the default policy: staging needs one approver; archived applies at once', async () => {
    const name = await withVersions(2);
    const policy = await alice().get<PolicyBody>(`${modelPath(name)}/policy`);
    expectStatus(policy, 200);
    expect(policy.body).toEqual({ model: name, policy: DEFAULT_POLICY });

    const requested = await requestTransition(alice(), name, 1, 'staging', { comment: 'ready for shadow traffic' });
    expect(requested).toMatchObject({
      model: name,
      version: 1,
      fromStage: 'development',
      toStage: 'staging',
      status: 'pending',
      requestedBy: 'alice',
      comment: 'ready for shadow traffic',
      archiveExisting: false,
      policy: { requiredApprovals: 1, approverRole: 'approver' },
      approvals: [],
      decidedBy: null,
      appliedAt: null,
    });
    expect((await getVersion(alice(), name, 1)).stage).toBe('development');

    const approved = await approve(bob(), requested.id, 'lgtm');
    expect(approved).toMatchObject({ id: requested.id, status: 'applied', approvals: [{ by: 'bob', comment: 'lgtm' }] });
    expect(approved.appliedAt).not.toBeNull();
    expect((await getVersion(alice(), name, 1)).stage).toBe('staging');

    const archived = await requestTransition(alice(), name, 2, 'archived');
    expect(archived).toMatchObject({ status: 'applied', policy: { requiredApprovals: 0 }, approvals: [] });
    expect((await getVersion(alice(), name, 2)).stage).toBe('archived');
    const restored = await requestTransition(alice(), name, 2, 'development');
    expect(restored.status).toBe('applied');
    expect((await getVersion(alice(), name, 2)).stage).toBe('development');
  });

  it('lets no one approve their own request, nor a reader, nor a contributor under the default policy (403)', async () => {
    const name = await withVersions(1);
    const requested = await requestTransition(alice(), name, 1, 'production');
    await refused(requested.id, 403, 'PERMISSION_DENIED', [alice, 'approve'], [carol, 'approve'], [carol, 'reject']);

    // dave asks; alice is a contributor, not an approver.
    const other = await withVersions(1);
    const davesRequest = await requestTransition(dave(), other, 1, 'staging');
    await refused(davesRequest.id, 403, 'PERMISSION_DENIED', [alice, 'approve'], [alice, 'reject'], [dave, 'approve'], [dave, 'reject']);

    for (const [n, id] of [
      [name, requested.id],
      [other, davesRequest.id],
    ] as const) {
      const t = await alice().get<TransitionBody>(transitionPath(id));
      expect(t.body).toMatchObject({ status: 'pending', approvals: [] });
      expect((await getVersion(alice(), n, 1)).stage).toBe('development');
    }
    // An admin qualifies as approver.
    expect((await approve(admin(), davesRequest.id)).status).toBe('applied');
  });

  it('rejects: the request closes, approving it afterwards is 409, and a new request may be opened', async () => {
    const name = await withVersions(1);
    const requested = await requestTransition(alice(), name, 1, 'production');
    expectError(await alice().post(transitionPath(requested.id, 'reject'), {}), 403, 'PERMISSION_DENIED');
    const rejected = await bob().post<TransitionBody>(transitionPath(requested.id, 'reject'), { comment: 'auc too low' });
    expectStatus(rejected, 200);
    expect(rejected.body).toMatchObject({ status: 'rejected', decidedBy: 'bob', decisionComment: 'auc too low' });
    await refused(requested.id, 409, 'CONFLICT', [dave, 'approve'], [bob, 'reject'], [alice, 'cancel']);
    expect((await getVersion(alice(), name, 1)).stage).toBe('development');
    const again = await requestTransition(alice(), name, 1, 'production');
    expect(again.id).not.toBe(requested.id);
  });

  it('cancels only by the requester or an admin', async () => {
    const name = await withVersions(2);
    const requested = await requestTransition(alice(), name, 1, 'staging');
    await refused(requested.id, 403, 'PERMISSION_DENIED', [bob, 'cancel'], [dave, 'cancel'], [carol, 'cancel']);
    const cancelled = await alice().post<TransitionBody>(transitionPath(requested.id, 'cancel'), { comment: 'wrong version' });
    expectStatus(cancelled, 200);
    expect(cancelled.body).toMatchObject({ status: 'cancelled', decidedBy: 'alice', decisionComment: 'wrong version' });
    expectError(await bob().post(transitionPath(requested.id, 'approve'), {}), 409, 'CONFLICT');

    const second = await requestTransition(alice(), name, 2, 'staging');
    const byAdmin = await admin().post<TransitionBody>(transitionPath(second.id, 'cancel'), {});
    expectStatus(byAdmin, 200);
    expect(byAdmin.body).toMatchObject({ status: 'cancelled', decidedBy: 'root' });
    expect((await getVersion(alice(), name, 1)).stage).toBe('development');
    expect((await getVersion(alice(), name, 2)).stage).toBe('development');
  });

  it('refuses a second approval of an applied request (409)', async () => {
    const name = await withVersions(1);
    const done = await promote(alice(), bob(), name, 1, 'staging');
    await refused(done.id, 409, 'CONFLICT', [dave, 'approve'], [bob, 'approve'], [alice, 'cancel']);
  });

  it('keeps one open request per version: a second one is 409', async () => {
    const name = await withVersions(1);
    const first = await requestTransition(alice(), name, 1, 'staging');
    expectError(await alice().post(`${versionPath(name, 1)}/transitions`, { stage: 'production' }), 409, 'CONFLICT');
    expectError(await dave().post(`${versionPath(name, 1)}/transitions`, { stage: 'staging' }), 409, 'CONFLICT');
    expectError(await alice().post(`${versionPath(name, 1)}/transitions`, { stage: 'archived' }), 409, 'CONFLICT');
    const open = await alice().get<Page<TransitionBody>>(`${API}/transitions${query({ model: name })}`);
    expect(open.body.items.map((t) => t.id)).toEqual([first.id]);
  });

  it('lets exactly one of 10 concurrent requests on one version win; the rest get 409', async () => {
    const name = await withVersions(1);
    const replies = await Promise.all(Array.from({ length: 10 }, (_, i) => (i % 2 === 0 ? alice() : dave()).post<TransitionBody>(`${versionPath(name, 1)}/transitions`, { stage: i % 3 === 0 ? 'production' : 'staging' })));
    const statuses = replies.map((r) => r.status).sort();
    expect(statuses).toEqual([201, ...Array.from({ length: 9 }, () => 409)]);
    for (const r of replies.filter((x) => x.status === 409)) expectError(r, 409, 'CONFLICT');
    const winner = replies.find((r) => r.status === 201)?.body;
    const listed = await alice().get<Page<TransitionBody>>(`${API}/transitions${query({ model: name, version: 1 })}`);
    expect(listed.body.items.map((t) => t.id)).toEqual([winner?.id]);
    expect(listed.body.items[0]?.status).toBe('pending');
  });

  it('archives the production version when another is promoted with archiveExisting', async () => {
    const name = await withVersions(3);
    await promote(alice(), bob(), name, 1, 'production');
    const second = await promote(alice(), bob(), name, 2, 'production', { archiveExisting: true });
    expect(second.archiveExisting).toBe(true);
    expect((await getVersion(alice(), name, 1)).stage).toBe('archived');
    expect((await getVersion(alice(), name, 2)).stage).toBe('production');
    const v1History = await historyOf(alice(), name, { filter: "version = 1 AND type = 'ModelVersionStageChanged'" });
    expect(v1History.map((e) => e.data)).toEqual([
      expect.objectContaining({ from: 'development', to: 'production', reason: 'requested' }),
      expect.objectContaining({ from: 'production', to: 'archived', reason: 'archived-existing', transitionId: second.id }),
    ]);
    // Without archiveExisting both stay in production.
    await promote(alice(), bob(), name, 3, 'production');
    expect((await getVersion(alice(), name, 2)).stage).toBe('production');
    expect((await getVersion(alice(), name, 3)).stage).toBe('production');
    // archiveExisting only means something for a stage a version replaces another in: staging or production.
    const other = await withVersions(1);
    expectError(await alice().post(`${versionPath(other, 1)}/transitions`, { stage: 'archived', archiveExisting: true }), 400, 'INVALID_ARGUMENT');
    expectError(await alice().post(`${versionPath(other, 1)}/transitions`, { stage: 'production', archiveExisting: 'yes' }), 400, 'INVALID_ARGUMENT');
    expect((await alice().get<Page<TransitionBody>>(`${API}/transitions${query({ model: other })}`)).body.items).toEqual([]);
  });

  it('refuses deleting a model with a version in production (409 FAILED_PRECONDITION)', async () => {
    const name = await withVersions(1);
    await promote(alice(), bob(), name, 1, 'production');
    expectError(await alice().delete(modelPath(name)), 409, 'FAILED_PRECONDITION');
    expectStatus(await alice().get(modelPath(name)), 200);
    await promote(alice(), bob(), name, 1, 'archived');
    expectStatus(await alice().delete(modelPath(name)), 204);
  });

  it('lists requests by status and model, and reads one by id', async () => {
    const name = await withVersions(3);
    const pending1 = await requestTransition(alice(), name, 1, 'staging');
    const pending2 = await requestTransition(dave(), name, 2, 'production');
    const applied = await promote(alice(), bob(), name, 3, 'staging');

    const pending = await carol().get<Page<TransitionBody>>(`${API}/transitions${query({ status: 'pending', model: name })}`);
    expectStatus(pending, 200);
    expect(pending.body.items.map((t) => t.id).sort()).toEqual([pending1.id, pending2.id].sort());
    expect(pending.body.items.every((t) => t.status === 'pending' && t.model === name)).toBe(true);
    const done = await carol().get<Page<TransitionBody>>(`${API}/transitions${query({ status: 'applied', model: name })}`);
    expect(done.body.items.map((t) => t.id)).toEqual([applied.id]);
    const all = await carol().get<Page<TransitionBody>>(`${API}/transitions${query({ model: name, orderBy: 'requestedAt asc' })}`);
    expect(all.body.items.map((t) => t.id).sort()).toEqual([pending1.id, pending2.id, applied.id].sort());
    const times = all.body.items.map((t) => Date.parse(t.requestedAt));
    expect(times).toEqual([...times].sort((a, b) => a - b));
    const byFilter = await carol().get<Page<TransitionBody>>(`${API}/transitions${query({ filter: `model = '${name}' AND requestedBy = 'dave'` })}`);
    expect(byFilter.body.items.map((t) => t.id)).toEqual([pending2.id]);
    const forVersion = await carol().get<Page<TransitionBody>>(`${API}/transitions${query({ model: name, version: 3 })}`);
    expect(forVersion.body.items.map((t) => t.id)).toEqual([applied.id]);
    expect((await carol().get<Page<TransitionBody>>(`${API}/transitions${query({ model: uniqueName('nobody') })}`)).body.items).toEqual([]);

    const one = await carol().get<TransitionBody>(transitionPath(pending2.id));
    expectStatus(one, 200);
    expect(one.body).toEqual(pending2);
    expectError(await carol().get(transitionPath('00000000-0000-4000-8000-000000000000')), 404, 'NOT_FOUND');
    expectError(await carol().get(transitionPath('not-a-uuid')), 404, 'NOT_FOUND');
    expectError(await bob().post(transitionPath('00000000-0000-4000-8000-000000000000', 'approve'), {}), 404, 'NOT_FOUND');
    expectError(await carol().get(`${API}/transitions${query({ status: 'open' })}`), 400, 'INVALID_ARGUMENT');
    expectError(await carol().get(`${API}/transitions${query({ version: 'one' })}`), 400, 'INVALID_ARGUMENT');
  });

  it('refuses invalid stages (400) and moves the stage table does not allow from the stage a version is in (409), changing nothing', async () => {
    const name = await withVersions(2);
    for (const stage of ['prod', 'Production', 'PRODUCTION', '', 5, null]) {
      expectError(await alice().post(`${versionPath(name, 1)}/transitions`, { stage }), 400, 'INVALID_ARGUMENT');
    }
    expectError(await alice().post(`${versionPath(name, 1)}/transitions`, {}), 400, 'INVALID_ARGUMENT');
    expectError(await alice().post(`${versionPath(name, 1)}/transitions`, { stage: 'development' }), 409, 'FAILED_PRECONDITION');
    await requestTransition(alice(), name, 2, 'archived');
    for (const stage of ['production', 'staging', 'archived']) {
      expectError(await alice().post(`${versionPath(name, 2)}/transitions`, { stage }), 409, 'FAILED_PRECONDITION');
    }
    expect((await getVersion(alice(), name, 1)).stage).toBe('development');
    expect((await getVersion(alice(), name, 2)).stage).toBe('archived');
    // The refusals left no open request behind.
    expect((await requestTransition(alice(), name, 1, 'staging')).status).toBe('pending');
    expectError(await alice().post(`${versionPath(name, 9)}/transitions`, { stage: 'staging' }), 404, 'NOT_FOUND');
    expectError(await carol().post(`${versionPath(name, 1)}/transitions`, { stage: 'staging' }), 403, 'PERMISSION_DENIED');
  });

  describe('policy', () => {
    it('may be replaced by an admin, or by those who manage the model but never laxer than the registry default (403 for everyone else)', async () => {
      const name = await withVersions(1);
      const strict = { ...DEFAULT_POLICY, production: { requiredApprovals: 2, approverRole: 'approver' } };
      for (const who of [bob(), carol(), dave()]) {
        expectError(await who.put(`${modelPath(name)}/policy`, strict), 403, 'PERMISSION_DENIED');
        expectError(await who.patch(`${modelPath(name)}/policy`, { staging: strict.production }), 403, 'PERMISSION_DENIED');
      }
      // alice manages the model she registered, but may not let a version into production without an approval.
      const lax = { ...DEFAULT_POLICY, production: { requiredApprovals: 0, approverRole: 'approver' } };
      expectError(await alice().put(`${modelPath(name)}/policy`, lax), 403, 'PERMISSION_DENIED');
      expectError(await alice().patch(`${modelPath(name)}/policy`, { staging: { requiredApprovals: 1, approverRole: 'contributor' } }), 403, 'PERMISSION_DENIED');
      expect((await alice().get<PolicyBody>(`${modelPath(name)}/policy`)).body.policy).toEqual(DEFAULT_POLICY);
      const set = await admin().put<PolicyBody>(`${modelPath(name)}/policy`, strict);
      expectStatus(set, 200);
      expect(set.body).toEqual({ model: name, policy: { ...DEFAULT_POLICY, production: { requiredApprovals: 2, approverRole: 'approver' } } });
      expect((await carol().get<PolicyBody>(`${modelPath(name)}/policy`)).body).toEqual(set.body);
      expectError(await admin().put(`${modelPath(uniqueName('missing'))}/policy`, strict), 404, 'NOT_FOUND');
      // Tighter than the default is the manager's to choose.
      const stricter = await alice().patch<PolicyBody>(`${modelPath(name)}/policy`, { staging: { requiredApprovals: 2, approverRole: 'admin' } });
      expectStatus(stricter, 200);
      expect(stricter.body.policy.staging).toEqual({ requiredApprovals: 2, approverRole: 'admin' });
    });

    it('is replaced only by a complete policy (PUT); PATCH changes the stages it names and keeps the others', async () => {
      const name = await withVersions(1);
      const one = { requiredApprovals: 1, approverRole: 'approver' };
      const { protectedAliases: _none, ...stagesOnly } = DEFAULT_POLICY;
      for (const partial of [{}, { production: one }, { development: one, staging: one, production: one }, stagesOnly]) {
        const refused = await admin().put(`${modelPath(name)}/policy`, partial);
        expectError(refused, 400, 'INVALID_ARGUMENT');
        expect(JSON.stringify(refused.body)).toContain('PATCH');
      }
      expectError(await admin().request('PUT', `${modelPath(name)}/policy`, { headers: { 'content-length': '0' } }), 400, 'INVALID_ARGUMENT');
      expect((await alice().get<PolicyBody>(`${modelPath(name)}/policy`)).body.policy).toEqual(DEFAULT_POLICY);
      const history = (await historyOf(alice(), name)).length;
      const patched = await admin().patch<PolicyBody>(`${modelPath(name)}/policy`, { archived: one });
      expectStatus(patched, 200);
      expect(patched.body.policy).toEqual({ ...DEFAULT_POLICY, archived: one });
      const again = await admin().patch<PolicyBody>(`${modelPath(name)}/policy`, { development: one });
      expect(again.body.policy).toEqual({ ...DEFAULT_POLICY, archived: one, development: one });
      expect((await historyOf(alice(), name)).length).toBe(history + 2);
    });

    it('governs taking a version out of production like putting it there: archiving needs an approval by default', async () => {
      const name = await withVersions(1);
      await promote(alice(), bob(), name, 1, 'production');
      const out = await requestTransition(alice(), name, 1, 'archived');
      expect(out).toMatchObject({ status: 'pending', policy: DEFAULT_POLICY.production });
      expect((await getVersion(alice(), name, 1)).stage).toBe('production');
      // The version cannot be deleted while it is in production, and the requester cannot approve it.
      expectError(await alice().delete(versionPath(name, 1)), 409);
      expectError(await alice().post(transitionPath(out.id, 'approve'), {}), 403, 'PERMISSION_DENIED');
      expect((await approve(bob(), out.id)).status).toBe('applied');
      expect((await getVersion(alice(), name, 1)).stage).toBe('archived');
    });

    it('with two required approvals needs two distinct approvers', async () => {
      const name = await withVersions(1);
      expectStatus(await admin().patch(`${modelPath(name)}/policy`, { production: { requiredApprovals: 2, approverRole: 'approver' } }), 200);
      const requested = await requestTransition(alice(), name, 1, 'production');
      expect(requested.policy).toEqual({ requiredApprovals: 2, approverRole: 'approver' });
      const one = await approve(bob(), requested.id);
      expect(one).toMatchObject({ status: 'pending', approvals: [{ by: 'bob' }] });
      expect((await getVersion(alice(), name, 1)).stage).toBe('development');
      expectError(await bob().post(transitionPath(requested.id, 'approve'), {}), 409, 'CONFLICT');
      expect((await alice().get<TransitionBody>(transitionPath(requested.id))).body).toMatchObject({ status: 'pending', approvals: [{ by: 'bob' }] });
      const two = await approve(dave(), requested.id);
      expect(two).toMatchObject({ status: 'applied', approvals: [{ by: 'bob' }, { by: 'dave' }] });
      expect((await getVersion(alice(), name, 1)).stage).toBe('production');
    });

    it('decides who may approve by role', async () => {
      const name = await withVersions(2);
      expectStatus(await admin().patch(`${modelPath(name)}/policy`, { staging: { requiredApprovals: 1, approverRole: 'admin' }, development: { requiredApprovals: 0, approverRole: 'approver' } }), 200);
      const requested = await requestTransition(alice(), name, 1, 'staging');
      expectError(await bob().post(transitionPath(requested.id, 'approve'), {}), 403, 'PERMISSION_DENIED');
      expect((await approve(admin(), requested.id)).status).toBe('applied');

      // A policy allowing contributors lets dave's request be approved by alice.
      expectStatus(await admin().patch(`${modelPath(name)}/policy`, { staging: { requiredApprovals: 1, approverRole: 'contributor' } }), 200);
      const davesRequest = await requestTransition(dave(), name, 2, 'staging');
      expect((await approve(alice(), davesRequest.id)).status).toBe('applied');
      // Zero approvals: applied at once.
      expectStatus(await admin().patch(`${modelPath(name)}/policy`, { production: { requiredApprovals: 0, approverRole: 'approver' } }), 200);
      expect((await requestTransition(alice(), name, 1, 'production')).status).toBe('applied');
    });

    it.each([
      ['negative approvals', { production: { requiredApprovals: -1, approverRole: 'approver' } }],
      ['too many approvals', { production: { requiredApprovals: 11, approverRole: 'approver' } }],
      ['fractional approvals', { production: { requiredApprovals: 1.5, approverRole: 'approver' } }],
      ['approvals as text', { production: { requiredApprovals: '2', approverRole: 'approver' } }],
      ['reader as approver role', { production: { requiredApprovals: 1, approverRole: 'reader' } }],
      ['unknown role', { production: { requiredApprovals: 1, approverRole: 'owner' } }],
      ['missing role', { production: { requiredApprovals: 1 } }],
      ['unknown stage', { qa: { requiredApprovals: 1, approverRole: 'approver' } }],
      ['unknown rule field', { production: { requiredApprovals: 1, approverRole: 'approver', note: 'x' } }],
      ['rule not an object', { production: 2 }],
    ])('refuses an invalid policy (%s) with 400 and keeps the old one', async (_label, body) => {
      const name = await withVersions(0);
      expectError(await admin().put(`${modelPath(name)}/policy`, { ...DEFAULT_POLICY, ...body }), 400, 'INVALID_ARGUMENT');
      expectError(await admin().patch(`${modelPath(name)}/policy`, body), 400, 'INVALID_ARGUMENT');
      expect((await alice().get<PolicyBody>(`${modelPath(name)}/policy`)).body.policy).toEqual(DEFAULT_POLICY);
    });
  });
});
