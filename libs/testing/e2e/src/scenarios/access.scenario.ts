import { scenario } from '../scenarios';
import { uniqueName } from '../registry-client';
import type { RegistryClient, Reply } from '../registry-client';
import { API, afterServerTime, createModel, createVersion, expectError, expectStatus, grant, historyOf, listAll, modelPath, query, requestTransition, versionPath } from '../fixtures';
import type { AccessBody, HistoryEntry, ModelBody, Page, TransitionBody, VersionBody } from '../fixtures';

const MLFLOW = '/api/2.0/mlflow';
type Permission = 'read' | 'write' | 'manage';

/** Per-model access (decision 32): grants, visibility, and every door obeying them. */
scenario('access per model: grants, private models, every door', (client) => {
  const alice = () => client().as('alice'); // contributor: registers the models, so manages them
  const carol = () => client().as('carol'); // reader
  const dave = () => client().as('dave'); // approver and contributor, no grant unless a test gives one
  const erin = () => client().as('erin'); // contributor in group risk-team
  const admin = () => client().as('admin');

  const accessPath = (name: string) => `${modelPath(name)}/access`;
  const setVisibility = async (by: RegistryClient, name: string, visibility: 'registry' | 'private') => expectStatus(await by.put(`${accessPath(name)}/visibility`, { visibility }), 200);

  /** A model of alice's with a version, an artifact, a tag and a pending request. */
  const aliceModel = async (prefix: string, visibility: 'registry' | 'private') => {
    const name = uniqueName(prefix);
    await createModel(alice(), name, { tags: { pii: `salaries-${name}` } });
    if (visibility === 'private') await setVisibility(alice(), name, 'private');
    await createVersion(alice(), name, { metrics: { auc: 0.5 }, tags: { marker: name } });
    expectStatus(await alice().request('PUT', `${versionPath(name, 1)}/artifacts/model.bin`, { body: Buffer.from('weights'), headers: { 'content-type': 'application/octet-stream' } }), 201);
    const pending = await requestTransition(alice(), name, 1, 'production');
    return { name, transitionId: pending.id };
  };

  /** Every read a caller could try on a model, by the API and by MLflow's routes. */
  const reads = (name: string, transitionId: string): [string, string][] => [
    ['GET', modelPath(name)],
    ['GET', `${modelPath(name)}${query({ asOf: new Date().toISOString() })}`],
    ['GET', `${modelPath(name)}/versions`],
    ['GET', versionPath(name, 1)],
    ['GET', `${versionPath(name, 1)}/artifacts`],
    ['GET', `${versionPath(name, 1)}/artifacts/model.bin`],
    ['GET', `${versionPath(name, 1)}/history`],
    ['GET', `${versionPath(name, 1)}/provenance`],
    ['GET', `${modelPath(name)}/history`],
    ['GET', `${modelPath(name)}/integrity`],
    ['GET', `${modelPath(name)}/policy`],
    ['GET', accessPath(name)],
    ['GET', `${API}/transitions/${transitionId}`],
    ['GET', `${MLFLOW}/registered-models/get${query({ name })}`],
    ['GET', `${MLFLOW}/model-versions/get${query({ name, version: 1 })}`],
    ['GET', `${MLFLOW}/model-versions/get-download-uri${query({ name, version: 1 })}`],
  ];

  const isMlflow = (path: string) => path.startsWith(MLFLOW);

  /** The answer for a model that does not exist, to compare a hidden one with. */
  const missingAnswer = async (c: RegistryClient, method: string, path: string, name: string, missing: string): Promise<{ status: number; code: unknown }> => {
    const reply = await c.request(method, path.split(encodeURIComponent(name)).join(encodeURIComponent(missing)).split(name).join(missing));
    return summary(reply, path);
  };
  const summary = (reply: Reply<unknown>, path: string) => {
    const body = reply.body as { error?: { code?: string }; error_code?: string };
    return { status: reply.status, code: isMlflow(path) ? body.error_code : body.error?.code };
  };

  it('hides a private model from every read of those without a grant, exactly as a model that does not exist', async () => {
    const { name, transitionId } = await aliceModel('private', 'private');
    const missing = uniqueName('never-registered');
    for (const [method, path] of reads(name, transitionId)) {
      expectStatus(await alice().request(method, path), 200);
      for (const who of [carol(), dave(), erin()]) {
        const hidden = summary(await who.request(method, path), path);
        expect({ path, status: hidden.status }).toEqual({ path, status: 404 });
        // A transition id belongs to no name: the comparison is for the routes that name the model.
        if (!path.includes('/transitions/')) expect({ path, ...hidden }).toEqual({ path, ...(await missingAnswer(who, method, path, name, missing)) });
      }
    }
    // Writes too: a hidden model is not there to change.
    for (const [method, path, body] of [
      ['PATCH', modelPath(name), { description: 'x' }],
      ['PUT', `${modelPath(name)}/tags/k`, { value: 'v' }],
      ['POST', `${modelPath(name)}/versions`, {}],
      ['POST', `${versionPath(name, 1)}/transitions`, { stage: 'staging' }],
      ['PUT', `${accessPath(name)}/grants`, { subject: 'user:dave', permission: 'manage' }],
      ['POST', `${API}/transitions/${transitionId}/approve`, {}],
    ] as const) {
      expectError(await dave().request(method, path, { json: body }), 404, 'NOT_FOUND');
    }
    expect((await admin().get(modelPath(name))).status).toBe(200);
  });

  it('leaves no trace of a private model in lists, searches, counts and page tokens', async () => {
    const { name } = await aliceModel('listed', 'private');
    const open = await aliceModel('listed-open', 'registry');
    const [hidden, shown] = [(await alice().get<ModelBody>(modelPath(name))).body, (await alice().get<ModelBody>(modelPath(open.name))).body];
    const byTag = `tags.pii = 'salaries-${name}'`;
    for (const who of [carol(), dave()]) {
      const models = await who.get<Page<ModelBody>>(`${API}/models${query({ filter: byTag })}`);
      expectStatus(models, 200);
      expect(models.body).toEqual({ items: [], nextPageToken: null });
      const versions = await who.get<Page<VersionBody>>(`${API}/versions${query({ filter: `tags.marker = '${name}'` })}`);
      expect(versions.body).toEqual({ items: [], nextPageToken: null });
      // Page through everything one at a time: the private model never shows, the open one does.
      const everything = await listAll<ModelBody>(who, `${API}/models`, { pageSize: 50, filter: "name LIKE 'listed%'" }, (m) => m.name);
      expect(everything.items.map((m) => m.name)).toContain(open.name);
      expect(everything.items.map((m) => m.name)).not.toContain(name);
      const allVersions = await listAll<VersionBody>(who, `${API}/versions`, { pageSize: 50, filter: "model LIKE 'listed%'" }, (v) => `${v.model}/${v.version}`);
      expect(allVersions.items.map((v) => v.model)).not.toContain(name);
      const inbox = await listAll<TransitionBody>(who, `${API}/transitions`, { status: 'pending', pageSize: 100 }, (t) => t.id);
      expect(inbox.items.map((t) => t.model)).not.toContain(name);
      expect((await who.get<Page<TransitionBody>>(`${API}/transitions${query({ model: name })}`)).body).toEqual({ items: [], nextPageToken: null });
      const mlflowSearch = await who.get<{ registered_models?: unknown[] }>(`${MLFLOW}/registered-models/search${query({ filter: `name = '${name}'` })}`);
      expectStatus(mlflowSearch, 200);
      expect(mlflowSearch.body.registered_models ?? []).toEqual([]);
      const mlflowVersions = await who.get<{ model_versions?: unknown[] }>(`${MLFLOW}/model-versions/search${query({ filter: `name = '${name}'` })}`);
      expect(mlflowVersions.body.model_versions ?? []).toEqual([]);
      // The registry-wide history leaves its events out too.
      const trail = await listAll<HistoryEntry>(who, `${API}/history`, { filter: `occurredAt >= '${hidden.createdAt}' AND actor = 'alice'`, pageSize: 100 }, (e) => e.eventId);
      expect(trail.items.map((e) => e.modelId)).toContain(shown.id);
      expect(trail.items.map((e) => e.modelId)).not.toContain(hidden.id);
    }
    // Its owner and admins find it.
    expect((await alice().get<Page<ModelBody>>(`${API}/models${query({ filter: byTag })}`)).body.items.map((m) => m.name)).toEqual([name]);
    expect((await admin().get<Page<ModelBody>>(`${API}/models${query({ filter: byTag })}`)).body.items.map((m) => m.name)).toEqual([name]);
  });

  it('opens a private model to a group with a grant, and closes it again on revocation', async () => {
    const { name } = await aliceModel('team', 'private');
    expectError(await erin().get(modelPath(name)), 404, 'NOT_FOUND');
    const granted = await grant(alice(), name, 'group:risk-team', 'read');
    expect(granted).toEqual({
      visibility: 'private',
      grants: [
        { subject: 'group:risk-team', permission: 'read' },
        { subject: 'user:alice', permission: 'manage' },
      ],
    });
    expectStatus(await erin().get(modelPath(name)), 200);
    expect((await erin().get<Page<VersionBody>>(`${API}/versions${query({ filter: `tags.marker = '${name}'` })}`)).body.items.map((v) => v.model)).toEqual([name]);
    expectError(await erin().patch(modelPath(name), { description: 'x' }), 403, 'PERMISSION_DENIED');
    expectError(await dave().get(modelPath(name)), 404, 'NOT_FOUND');
    const revoked = await alice().delete<AccessBody>(`${accessPath(name)}/grants${query({ subject: 'group:risk-team' })}`);
    expectStatus(revoked, 200);
    expect(revoked.body.grants).toEqual([{ subject: 'user:alice', permission: 'manage' }]);
    expectError(await erin().get(modelPath(name)), 404, 'NOT_FOUND');
    expect((await erin().get<Page<VersionBody>>(`${API}/versions${query({ filter: `tags.marker = '${name}'` })}`)).body.items).toEqual([]);
  });

  describe('what each permission allows on a model every reader sees', () => {
    const levels: (Permission | 'none')[] = ['none', 'read', 'write', 'manage'];
    // [what, needed, request]: made by dave, in this order, on one model of alice's where dave holds the level; the
    // renaming and the deletion come last, and what follows a rename uses the name it leaves.
    const actions: [string, Permission, (name: string) => Promise<Reply<unknown>>][] = [
      ['read the model', 'read', (name) => dave().get(modelPath(name))],
      ['describe it', 'write', (name) => dave().patch(modelPath(name), { description: 'by dave' })],
      ['tag it', 'write', (name) => dave().put(`${modelPath(name)}/tags/k`, { value: 'v' })],
      ['create a version', 'write', (name) => dave().post(`${modelPath(name)}/versions`, {})],
      ['tag a version', 'write', (name) => dave().put(`${versionPath(name, 1)}/tags/k`, { value: 'v' })],
      ['upload an artifact', 'write', (name) => dave().request('PUT', `${versionPath(name, 1)}/artifacts/extra.bin`, { body: Buffer.from('x'), headers: { 'content-type': 'application/octet-stream' } })],
      ['move an alias', 'write', (name) => dave().put(`${modelPath(name)}/aliases/candidate`, { version: 1 })],
      ['set an MLflow tag', 'write', (name) => dave().request('POST', `${MLFLOW}/registered-models/set-tag`, { json: { name, key: 'k', value: 'v' } })],
      ['request a transition', 'write', (name) => dave().post(`${versionPath(name, 1)}/transitions`, { stage: 'archived' })],
      ['grant access', 'manage', (name) => dave().put(`${accessPath(name)}/grants`, { subject: 'user:carol', permission: 'read' })],
      ['tighten its policy', 'manage', (name) => dave().patch(`${modelPath(name)}/policy`, { staging: { requiredApprovals: 2, approverRole: 'approver' } })],
      ['make it private', 'manage', (name) => dave().put(`${accessPath(name)}/visibility`, { visibility: 'private' })],
      ['rename it', 'manage', (name) => dave().post(`${modelPath(name)}/rename`, { newName: `${name}-renamed` })],
      ['delete it', 'manage', (name) => dave().delete(modelPath(name))],
    ];
    const rank = { none: 0, read: 1, write: 2, manage: 3 } as const;

    it.each(levels)('with %s', async (level) => {
      let name = uniqueName(`matrix-${level}`);
      await createModel(alice(), name);
      await createVersion(alice(), name);
      if (level !== 'none') await grant(alice(), name, 'user:dave', level);
      const outcomes: [string, boolean, number][] = [];
      for (const [what, needed, act] of actions) {
        const reply = await act(name);
        outcomes.push([what, rank[level === 'none' ? 'read' : level] >= rank[needed], reply.status]);
        if (what === 'rename it' && reply.status === 200) name = `${name}-renamed`;
      }
      // Allowed: a 2xx (a write whose read model lags is 202, still done); refused: 403, the model being readable.
      expect(outcomes.map(([what, allowed, status]) => [what, allowed ? status >= 200 && status < 300 : status === 403])).toEqual(outcomes.map(([what]) => [what, true]));
    });
  });

  it('keeps a read-only identity read-only whatever it is granted', async () => {
    const { name } = await aliceModel('capped', 'private');
    await grant(alice(), name, 'user:carol', 'manage');
    expectStatus(await carol().get(modelPath(name)), 200);
    expectError(await carol().patch(modelPath(name), { description: 'x' }), 403, 'PERMISSION_DENIED');
    expectError(await carol().put(`${accessPath(name)}/grants`, { subject: 'user:carol', permission: 'read' }), 403, 'PERMISSION_DENIED');
  });

  it('records every grant in the history with who gave it, and answers who could read the model at an instant', async () => {
    const name = uniqueName('audited');
    await createModel(alice(), name);
    await setVisibility(alice(), name, 'private');
    const before = (await historyOf(alice(), name)).at(-1)?.occurredAt ?? '';
    await afterServerTime(alice(), before);
    const instant = new Date().toISOString();
    await afterServerTime(alice(), instant);
    await grant(alice(), name, 'group:risk-team', 'write');
    const history = (await historyOf(alice(), name)).filter((e) => e.type.startsWith('ModelAccess') || e.type === 'ModelVisibilityChanged');
    expect(history.map((e) => [e.type, e.actor, e.data])).toEqual([
      ['ModelAccessGranted', 'alice', { modelId: expect.any(String), subject: 'user:alice', permission: 'manage' }],
      ['ModelVisibilityChanged', 'alice', { modelId: expect.any(String), visibility: 'private' }],
      ['ModelAccessGranted', 'alice', { modelId: expect.any(String), subject: 'group:risk-team', permission: 'write' }],
    ]);
    const then = await admin().get<{ access: AccessBody }>(`${modelPath(name)}${query({ asOf: instant })}`);
    expectStatus(then, 200);
    expect(then.body.access).toEqual({ visibility: 'private', grants: [{ subject: 'user:alice', permission: 'manage' }] });
    const now = await admin().get<AccessBody>(accessPath(name));
    expect(now.body.grants).toContainEqual({ subject: 'group:risk-team', permission: 'write' });
  });

  it('refuses malformed grants with 400 and changes nothing', async () => {
    const name = uniqueName('bad-grant');
    await createModel(alice(), name);
    const before = await historyOf(alice(), name);
    for (const body of [
      { subject: 'bob', permission: 'read' },
      { subject: 'user:', permission: 'read' },
      { subject: 'user:a b', permission: 'read' },
      { subject: 'team:x', permission: 'read' },
      { subject: 'user:bob', permission: 'own' },
      { subject: 'user:bob' },
      { subject: 'user:bob', permission: 'read', extra: true },
    ]) {
      expectError(await alice().put(`${accessPath(name)}/grants`, body), 400, 'INVALID_ARGUMENT');
    }
    expectError(await alice().put(`${accessPath(name)}/visibility`, { visibility: 'secret' }), 400, 'INVALID_ARGUMENT');
    expectError(await alice().delete(`${accessPath(name)}/grants${query({ subject: 'nobody' })}`), 400, 'INVALID_ARGUMENT');
    expectError(await alice().delete(`${accessPath(name)}/grants${query({ subject: 'user:nobody' })}`), 404, 'NOT_FOUND');
    expect(await historyOf(alice(), name)).toEqual(before);
  });
});
