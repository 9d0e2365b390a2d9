import { scenario } from '../scenarios';
import { uniqueName } from '../registry-client';
import type { RegistryClient, Reply } from '../registry-client';
import { API, approve, createModel, createVersion, expectStatus, getVersion, historyOf } from '../fixtures';

// MLflow's registry API as its client speaks it (JSON bodies, query strings, MLflow's error body), over plain
// HTTP so it runs against every topology. The official client's own suite drives the same routes in Python.

const MLFLOW = '/api/2.0/mlflow';

interface MlflowError {
  readonly error_code: string;
  readonly message: string;
}
interface MlflowVersion {
  readonly name: string;
  readonly version: string;
  readonly current_stage: string;
  readonly status: string;
  readonly user_id?: string;
  readonly tags?: { key: string; value: string }[];
  readonly aliases?: string[];
}
interface MlflowModel {
  readonly name: string;
  readonly description?: string;
  readonly tags?: { key: string; value: string }[];
  readonly aliases?: { alias: string; version: string }[];
  readonly latest_versions?: MlflowVersion[];
}

function expectMlflowError(reply: Reply<unknown>, status: number, code: string): void {
  expect({ status: reply.status, body: reply.body }).toMatchObject({ status, body: { error_code: code, message: expect.any(String) } });
}

const query = (params: Record<string, string | string[]>) => {
  const q = new URLSearchParams();
  for (const [k, v] of Object.entries(params)) for (const one of Array.isArray(v) ? v : [v]) q.append(k, one);
  return `?${q.toString()}`;
};

scenario('MLflow registry API: the same domain, rules and history through MLflow routes', (client) => {
  const alice = () => client().as('alice');
  const call = <T>(c: RegistryClient, method: string, route: string, json?: unknown) => c.request<T>(method, `${MLFLOW}/${route}`, json === undefined ? {} : { json });

  it('creates, reads, tags, renames and deletes a registered model as MLflow answers', async () => {
    const name = uniqueName('mlf');
    const created = await call<{ registered_model: MlflowModel }>(alice(), 'POST', 'registered-models/create', { name, description: 'd', tags: [{ key: 'team', value: 'risk' }] });
    expectStatus(created, 200);
    expect(created.body.registered_model).toMatchObject({ name, description: 'd', tags: [{ key: 'team', value: 'risk' }] });

    const twice = await call<MlflowError>(alice(), 'POST', 'registered-models/create', { name });
    expectMlflowError(twice, 400, 'RESOURCE_ALREADY_EXISTS');

    expectStatus(await call(alice(), 'POST', 'registered-models/set-tag', { name, key: 'stage-gate', value: 'on' }), 200);
    expectStatus(await call(alice(), 'DELETE', 'registered-models/delete-tag', { name, key: 'team' }), 200);
    const got = await alice().get<{ registered_model: MlflowModel }>(`${MLFLOW}/registered-models/get${query({ name })}`);
    expectStatus(got, 200);
    expect(got.body.registered_model.tags).toEqual([{ key: 'stage-gate', value: 'on' }]);

    const renamed = uniqueName('mlf-renamed');
    expectStatus(await call(alice(), 'POST', 'registered-models/rename', { name, new_name: renamed }), 200);
    expectMlflowError(await alice().get(`${MLFLOW}/registered-models/get${query({ name })}`), 404, 'RESOURCE_DOES_NOT_EXIST');

    // The same events as /api/v1, with the caller as actor.
    const types = (await historyOf(alice(), renamed)).map((e) => `${e.type}:${e.actor}`);
    expect(types).toEqual(expect.arrayContaining(['ModelRegistered:alice', 'ModelTagSet:alice', 'ModelTagRemoved:alice', 'ModelRenamed:alice']));

    expectStatus(await call(alice(), 'DELETE', 'registered-models/delete', { name: renamed }), 200);
    expectStatus(await alice().get(`${API}/models/${renamed}`), 404);
  });

  it('numbers versions, answers versions as strings, aliases and searches them', async () => {
    const name = uniqueName('mlf');
    await createModel(alice(), name);
    for (const n of ['1', '2', '3']) {
      const v = await call<{ model_version: MlflowVersion }>(alice(), 'POST', 'model-versions/create', { name, source: `s3://bucket/m/${n}`, tags: [{ key: 'n', value: n }] });
      expectStatus(v, 200);
      expect(v.body.model_version).toMatchObject({ name, version: n, current_stage: 'None', status: 'READY', user_id: 'alice' });
    }
    expectStatus(await call(alice(), 'POST', 'registered-models/alias', { name, alias: 'champion', version: '2' }), 200);
    const byAlias = await alice().get<{ model_version: MlflowVersion }>(`${MLFLOW}/registered-models/alias${query({ name, alias: 'champion' })}`);
    expect(byAlias.body.model_version).toMatchObject({ version: '2', aliases: ['champion'] });

    // Default order: name ascending, version descending; pages of two until no token is left.
    const seen: string[] = [];
    let token: string | undefined;
    do {
      const page: Reply<{ model_versions?: MlflowVersion[]; next_page_token?: string }> = await alice().get(`${MLFLOW}/model-versions/search${query({ filter: `name='${name}'`, max_results: '2', ...(token ? { page_token: token } : {}) })}`);
      expectStatus(page, 200);
      seen.push(...(page.body.model_versions ?? []).map((v) => v.version));
      token = page.body.next_page_token;
    } while (token);
    expect(seen).toEqual(['3', '2', '1']);

    const byTag = await alice().get<{ model_versions: MlflowVersion[] }>(`${MLFLOW}/model-versions/search${query({ filter: `name = '${name}' AND tags.n != '2'`, order_by: ['version_number ASC'] })}`);
    expect(byTag.body.model_versions.map((v) => v.version)).toEqual(['1', '3']);

    // MLflow's client always adds this clause: models without the tag match `!=`.
    const models = await alice().get<{ registered_models: MlflowModel[] }>(`${MLFLOW}/registered-models/search${query({ filter: `name = '${name}' AND tag.\`mlflow.prompt.is_prompt\` != 'true'` })}`);
    expect(models.body.registered_models.map((m) => m.name)).toEqual([name]);
    expect(models.body.registered_models[0]?.aliases).toEqual([{ alias: 'champion', version: '2' }]);

    const none = await alice().get(`${MLFLOW}/registered-models/search${query({ filter: `name = '${uniqueName('absent')}'` })}`);
    expect(none.body).toEqual({});
  });

  it('moves a stage only through the approval policy, naming the open request', async () => {
    const name = uniqueName('mlf');
    await createModel(alice(), name);
    await createVersion(alice(), name);
    const refused = await call<MlflowError & { details?: unknown }>(alice(), 'POST', 'model-versions/transition-stage', { name, version: '1', stage: 'Production', archive_existing_versions: false });
    expectMlflowError(refused, 403, 'PERMISSION_DENIED');
    const transitionId = /transition request ([0-9a-f-]{36})/.exec(refused.body.message)?.[1];
    expect(transitionId).toBeDefined();
    expect((await getVersion(alice(), name, 1)).stage).toBe('development');

    await approve(client().as('bob'), transitionId as string);
    const after = await alice().get<{ model_version: MlflowVersion }>(`${MLFLOW}/model-versions/get${query({ name, version: '1' })}`);
    expect(after.body.model_version.current_stage).toBe('Production');

    const latest = await call<{ model_versions: MlflowVersion[] }>(alice(), 'POST', 'registered-models/get-latest-versions', { name, stages: ['production'] });
    expect(latest.body.model_versions.map((v) => v.version)).toEqual(['1']);
  });

  it('applies at once where the policy needs no approval, archiving the stage it replaces', async () => {
    const name = uniqueName('mlf');
    await createModel(alice(), name);
    await createVersion(alice(), name);
    await createVersion(alice(), name);
    const none = { requiredApprovals: 0, approverRole: 'approver' };
    expectStatus(await client().as('admin').patch(`${API}/models/${name}/policy`, { staging: none, production: none }), 200);
    const first = await call<{ model_version: MlflowVersion }>(alice(), 'POST', 'model-versions/transition-stage', { name, version: '1', stage: 'staging' });
    expectStatus(first, 200);
    expect(first.body.model_version.current_stage).toBe('Staging');
    const second = await call<{ model_version: MlflowVersion }>(alice(), 'POST', 'model-versions/transition-stage', { name, version: '2', stage: 'Staging', archive_existing_versions: true });
    expect(second.body.model_version.current_stage).toBe('Staging');
    expect((await getVersion(alice(), name, 1)).stage).toBe('archived');
  });

  it('follows the registry-wide default policy unless a model has its own', async () => {
    const admin = client().as('admin');
    const before = await admin.get<{ policy: Record<string, unknown> }>(`${API}/policy`);
    expectStatus(before, 200);
    const name = uniqueName('mlf');
    await createModel(alice(), name);
    await createVersion(alice(), name);
    try {
      expectStatus(await admin.patch(`${API}/policy`, { staging: { requiredApprovals: 0, approverRole: 'approver' } }), 200);
      const moved = await call<{ model_version: MlflowVersion }>(alice(), 'POST', 'model-versions/transition-stage', { name, version: '1', stage: 'Staging' });
      expect(moved.body.model_version.current_stage).toBe('Staging');
      expectMlflowError(await call(alice(), 'POST', 'model-versions/transition-stage', { name, version: '1', stage: 'Production' }), 403, 'PERMISSION_DENIED');
    } finally {
      expectStatus(await admin.put(`${API}/policy`, before.body.policy), 200);
    }
    expectStatus(await alice().patch(`${API}/policy`, { staging: { requiredApprovals: 0, approverRole: 'approver' } }), 403);
  });

  it('answers bad input with MLflow errors and stores nothing', async () => {
    const name = uniqueName('mlf');
    await createModel(alice(), name);
    const historyBefore = (await historyOf(alice(), name)).length;
    const bad: [string, string, unknown][] = [
      ['POST', 'registered-models/create', { name: '../etc' }],
      ['POST', 'registered-models/create', { name: 'x'.repeat(300) }],
      ['POST', 'registered-models/create', { name: uniqueName('mlf'), tags: [{ key: 'ok', value: 5 }] }],
      ['POST', 'registered-models/set-tag', { name, key: 'bad\u0000key', value: 'v' }],
      ['POST', 'model-versions/create', { name }],
      ['POST', 'model-versions/create', { name, source: 'has space' }],
      ['POST', 'registered-models/alias', { name, alias: 'latest', version: '1' }],
      ['POST', 'model-versions/transition-stage', { name, version: '1', stage: 'Prod' }],
      ['POST', 'model-versions/transition-stage', { name, version: 'one', stage: 'Staging' }],
    ];
    for (const [method, route, body] of bad) expectMlflowError(await call(alice(), method, route, body), 400, 'INVALID_PARAMETER_VALUE');
    const searches: Record<string, string>[] = [
      { filter: "name = 'x' OR name = 'y'" },
      { filter: "name = 'unterminated" },
      { filter: "params.lr = '1'" },
      { order_by: 'secret_column DESC' },
      { max_results: '0' },
      { max_results: '200001' },
      { page_token: 'not-a-token' },
    ];
    for (const params of searches) expectMlflowError(await alice().get(`${MLFLOW}/model-versions/search${query(params)}`), 400, 'INVALID_PARAMETER_VALUE');
    expectMlflowError(await alice().request('POST', `${MLFLOW}/registered-models/create`, { body: '{"name":', headers: { 'content-type': 'application/json' } }), 400, 'INVALID_PARAMETER_VALUE');
    expect((await historyOf(alice(), name)).length).toBe(historyBefore);
    // Fields MLflow's messages do not declare are dropped, as MLflow's server does (newer clients send more).
    const lenient = await call<{ registered_model: MlflowModel }>(alice(), 'POST', 'registered-models/create', { name: uniqueName('mlf'), deployment_job_id: '', future_field: 1 });
    expectStatus(lenient, 200);
  });

  it('authenticates like /api/v1: bearer or basic with the token as password, roles enforced', async () => {
    const name = uniqueName('mlf');
    expectMlflowError(await client().anonymous().request('POST', `${MLFLOW}/registered-models/create`, { json: { name } }), 401, 'UNAUTHENTICATED');
    expectMlflowError(await call(client().as('carol'), 'POST', 'registered-models/create', { name }), 403, 'PERMISSION_DENIED');
    const basic = (user: string, secret: string) => ({ authorization: `Basic ${Buffer.from(`${user}:${secret}`).toString('base64')}` });
    const aliceToken = client().tokenOf('alice');
    const ok = await client()
      .anonymous()
      .request('POST', `${MLFLOW}/registered-models/create`, { json: { name }, headers: basic('alice', aliceToken) });
    expectStatus(ok, 200);
    expectMlflowError(
      await client()
        .anonymous()
        .request('GET', `${MLFLOW}/registered-models/get${query({ name })}`, { headers: basic('bob', aliceToken) }),
      401,
      'UNAUTHENTICATED',
    );
    expect((await historyOf(alice(), name))[0]?.actor).toBe('alice');
  });
});
