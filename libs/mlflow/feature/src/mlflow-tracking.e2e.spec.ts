import { createHash } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { ArtifactModule } from '@mreg/artifact/feature';
import { AuditModule } from '@mreg/audit/feature';
import { GovernanceModule } from '@mreg/governance/feature';
import { ModelRegistration, RegistrationModule, VersionRegistration } from '@mreg/registration/feature';
import { TrackingQueries } from '@mreg/tracking/feature';
import { SYSTEM_PRINCIPAL, loadConfig, startService } from '@mreg/platform/runtime';
import type { StartedService } from '@mreg/platform/runtime';
import { CAST, castTarget, castTokensJson, rawRequest } from '@mreg/testing/e2e';
import { MlflowArtifactsModule } from './artifacts';
import { MlflowTrackingModule } from './tracking';

// MLflow's tracking API and artifact proxy over HTTP against the whole registry in one process, with the
// shapes MLflow 3.17's own server answers (recorded from it) and its error bodies.

let service: StartedService | undefined;
let dataDir = '';

beforeAll(async () => {
  dataDir = mkdtempSync(join(tmpdir(), 'mreg-mlflow-tracking-'));
  service = await startService(
    { name: 'mlflow-tracking-e2e', modules: [RegistrationModule, GovernanceModule, ArtifactModule, AuditModule, MlflowTrackingModule, MlflowArtifactsModule] },
    loadConfig({ MREG_TOKENS: castTokensJson(), MREG_DATA_DIR: dataDir, PORT: '0', MREG_HOST: '127.0.0.1', MREG_LOG_LEVEL: 'error' }),
  );
});

afterAll(async () => {
  await service?.app.close();
  rmSync(dataDir, { recursive: true, force: true });
});

type Body = Record<string, unknown>;
interface Answer {
  readonly status: number;
  readonly body: Body;
  readonly text: string;
  readonly headers: Headers;
}

async function call(method: string, path: string, options: { body?: unknown; raw?: Buffer | string; token?: string | null; headers?: Record<string, string> } = {}): Promise<Answer> {
  if (!service) throw new Error('not started');
  const token = options.token === undefined ? CAST.alice.token : options.token;
  const headers: Record<string, string> = { ...(token ? { authorization: `Bearer ${token}` } : {}), ...options.headers };
  let body: string | Buffer | undefined;
  if (options.body !== undefined) {
    headers['content-type'] = 'application/json';
    body = JSON.stringify(options.body);
  } else if (options.raw !== undefined) {
    headers['content-type'] ??= 'text/plain';
    body = options.raw;
  }
  const res = await fetch(`${service.url}${path}`, { method, headers, ...(body !== undefined ? { body } : {}) });
  const text = await res.text();
  let parsed: Body = {};
  try {
    parsed = text === '' ? {} : (JSON.parse(text) as Body);
  } catch {
    parsed = {};
  }
  return { status: res.status, body: parsed, text, headers: res.headers };
}

const api = (p: string) => `/api/2.0/mlflow/${p}`;
const art = (p: string) => `/api/2.0/mlflow-artifacts/artifacts/${p}`;
const unique = (prefix: string) => `${prefix}-${Date.now().toString(36)}-${Math.floor(Math.random() * 1e6)}`;

async function newExperiment(): Promise<string> {
  const created = await call('POST', api('experiments/create'), { body: { name: unique('exp') } });
  expect(created.status).toBe(200);
  return created.body['experiment_id'] as string;
}

async function newRun(experimentId: string): Promise<{ runId: string; artifactUri: string }> {
  const created = await call('POST', api('runs/create'), { body: { experiment_id: experimentId, user_id: 'alice', start_time: 1_796_127_937_121, tags: [{ key: 'mlflow.source.name', value: 'train.py' }] } });
  expect(created.status).toBe(200);
  const info = (created.body['run'] as { info: { run_id: string; artifact_uri: string } }).info;
  return { runId: info.run_id, artifactUri: info.artifact_uri };
}

async function getRun(runId: string) {
  const got = await call('GET', api(`runs/get?run_id=${runId}`));
  expect(got.status).toBe(200);
  return got.body['run'] as { info: Body; data: { params?: { key: string; value: string }[]; metrics?: Body[]; tags?: { key: string; value: string }[] }; inputs: Body; outputs: Body };
}

describe('MLflow experiments', () => {
  it('has the Default experiment "0" for clients that never create one', async () => {
    const byName = await call('GET', api('experiments/get-by-name?experiment_name=Default'));
    expect(byName.status).toBe(200);
    expect(byName.body['experiment']).toMatchObject({ experiment_id: '0', name: 'Default', artifact_location: 'mlflow-artifacts:/0', lifecycle_stage: 'active' });
  });

  it('creates, reads, finds, tags, renames, deletes and restores an experiment', async () => {
    const name = unique('fraud');
    const created = await call('POST', api('experiments/create'), { body: { name, tags: [{ key: 'team', value: 'risk' }] } });
    expect(created.status).toBe(200);
    const id = created.body['experiment_id'] as string;
    expect(id).toMatch(/^\d+$/);
    const got = await call('GET', api(`experiments/get?experiment_id=${id}`));
    expect(got.body).toEqual({
      experiment: {
        experiment_id: id,
        name,
        artifact_location: `mlflow-artifacts:/${id}`,
        lifecycle_stage: 'active',
        last_update_time: expect.any(Number),
        creation_time: expect.any(Number),
        tags: [{ key: 'team', value: 'risk' }],
        workspace: 'default',
      },
    });
    expect((await call('GET', api(`experiments/get-by-name?experiment_name=${encodeURIComponent(name)}`))).body['experiment']).toMatchObject({ experiment_id: id });
    const found = await call('POST', api('experiments/search'), { body: { filter: `name = '${name}'` } });
    expect(found.status).toBe(200);
    expect((found.body['experiments'] as Body[]).map((e) => e['experiment_id'])).toEqual([id]);
    expect(found.body['next_page_token']).toBeUndefined();
    expect((await call('POST', api('experiments/set-experiment-tag'), { body: { experiment_id: id, key: 'k', value: 'v' } })).body).toEqual({});
    expect((await call('POST', api('experiments/delete-experiment-tag'), { body: { experiment_id: id, key: 'team' } })).body).toEqual({});
    expect((await call('GET', api(`experiments/get?experiment_id=${id}`))).body['experiment']).toMatchObject({ tags: [{ key: 'k', value: 'v' }] });
    const gone = await call('POST', api('experiments/delete-experiment-tag'), { body: { experiment_id: id, key: 'team' } });
    expect({ status: gone.status, code: gone.body['error_code'] }).toEqual({ status: 404, code: 'RESOURCE_DOES_NOT_EXIST' });
    expect((await call('POST', api('experiments/delete-experiment-tag'), { body: { experiment_id: id } })).status).toBe(400);
    expect((await call('POST', api('experiments/delete-experiment-tag'), { token: CAST.carol.token, body: { experiment_id: id, key: 'k' } })).status).toBe(403);
    const renamed = `${name}-2`;
    expect((await call('POST', api('experiments/update'), { body: { experiment_id: id, new_name: renamed } })).status).toBe(200);
    expect((await call('GET', api(`experiments/get-by-name?experiment_name=${encodeURIComponent(renamed)}`))).body['experiment']).toMatchObject({ experiment_id: id });
    expect((await call('GET', api(`experiments/get-by-name?experiment_name=${encodeURIComponent(name)}`))).status).toBe(404);
    expect((await call('POST', api('experiments/delete'), { body: { experiment_id: id } })).status).toBe(200);
    expect((await call('POST', api('experiments/search'), { body: { filter: `name = '${renamed}'` } })).body).toEqual({});
    expect(((await call('POST', api('experiments/search'), { body: { filter: `name = '${renamed}'`, view_type: 'DELETED_ONLY' } })).body['experiments'] as Body[])[0]).toMatchObject({ lifecycle_stage: 'deleted' });
    expect((await call('POST', api('runs/create'), { body: { experiment_id: id } })).body['error_code']).toBe('INVALID_PARAMETER_VALUE');
    expect((await call('POST', api('experiments/restore'), { body: { experiment_id: id } })).status).toBe(200);
  });

  it('answers MLflow errors: a taken name, a missing experiment, an invalid name', async () => {
    const name = unique('dup');
    await call('POST', api('experiments/create'), { body: { name } });
    const again = await call('POST', api('experiments/create'), { body: { name } });
    expect(again.status).toBe(400);
    expect(again.body).toMatchObject({ error_code: 'RESOURCE_ALREADY_EXISTS' });
    const missing = await call('GET', api('experiments/get?experiment_id=424242'));
    expect(missing.status).toBe(404);
    expect(missing.body).toMatchObject({ error_code: 'RESOURCE_DOES_NOT_EXIST' });
    expect((await call('POST', api('experiments/create'), { body: { name: '' } })).body).toMatchObject({ error_code: 'INVALID_PARAMETER_VALUE' });
    expect((await call('POST', api('experiments/create'), { body: {} })).status).toBe(400);
  });
});

describe('MLflow runs', () => {
  it('logs params, metrics and tags and answers runs/get as MLflow does', async () => {
    const experimentId = await newExperiment();
    const { runId, artifactUri } = await newRun(experimentId);
    expect(runId).toMatch(/^[0-9a-f]{32}$/);
    expect(artifactUri).toBe(`mlflow-artifacts:/${experimentId}/${runId}/artifacts`);
    const ok = async (path: string, body: Body) => expect((await call('POST', api(path), { body })).body).toEqual({});
    await ok('runs/log-parameter', { run_uuid: runId, run_id: runId, key: 'C', value: '1.0' });
    await ok('runs/log-metric', { run_id: runId, key: 'acc', value: 0.9, timestamp: 1_796_127_937_242, step: 0 });
    await ok('runs/log-metric', { run_id: runId, key: 'acc', value: 0.95, timestamp: 1_796_127_937_310, step: 1 });
    await ok('runs/set-tag', { run_id: runId, key: 'team', value: 'risk' });
    await ok('runs/log-batch', { run_id: runId, params: [{ key: 'solver', value: 'lbfgs' }], metrics: [{ key: 'f1', value: 0.8, timestamp: '1796127937529', step: 0 }] });
    const run = await getRun(runId);
    expect(run).toEqual({
      info: {
        run_uuid: runId,
        experiment_id: experimentId,
        run_name: expect.any(String),
        user_id: 'alice',
        status: 'RUNNING',
        start_time: 1_796_127_937_121,
        artifact_uri: artifactUri,
        lifecycle_stage: 'active',
        run_id: runId,
      },
      data: {
        metrics: [
          { key: 'acc', value: 0.95, timestamp: 1_796_127_937_310, step: 1 },
          { key: 'f1', value: 0.8, timestamp: 1_796_127_937_529, step: 0 },
        ],
        params: [
          { key: 'C', value: '1.0' },
          { key: 'solver', value: 'lbfgs' },
        ],
        tags: [
          { key: 'mlflow.source.name', value: 'train.py' },
          { key: 'mlflow.runName', value: run.info['run_name'] },
          { key: 'team', value: 'risk' },
        ],
      },
      inputs: {},
      outputs: {},
    });
    const history = await call('GET', api(`metrics/get-history?run_id=${runId}&metric_key=acc&max_results=25000`));
    expect(history.body).toEqual({
      metrics: [
        { key: 'acc', value: 0.9, timestamp: 1_796_127_937_242, step: 0 },
        { key: 'acc', value: 0.95, timestamp: 1_796_127_937_310, step: 1 },
      ],
    });
    expect((await call('GET', api(`metrics/get-history?run_id=${runId}&metric_key=none`))).body).toEqual({});
    const updated = await call('POST', api('runs/update'), { body: { run_id: runId, status: 'FINISHED', end_time: 1_796_127_944_758 } });
    expect(updated.body['run_info']).toMatchObject({ status: 'FINISHED', end_time: 1_796_127_944_758 });
    const found = await call('POST', api('runs/search'), { body: { experiment_ids: [experimentId] } });
    expect((found.body['runs'] as { info: Body }[]).map((r) => r.info['run_id'])).toEqual([runId]);
  });

  it('refuses a changed param, a bad key or an over-long value with 400 and stores nothing', async () => {
    const { runId } = await newRun(await newExperiment());
    await call('POST', api('runs/log-parameter'), { body: { run_id: runId, key: 'lr', value: '0.1' } });
    const before = await getRun(runId);
    const changed = await call('POST', api('runs/log-parameter'), { body: { run_id: runId, key: 'lr', value: '0.2' } });
    expect(changed.status).toBe(400);
    expect(changed.body).toMatchObject({ error_code: 'INVALID_PARAMETER_VALUE', message: expect.stringContaining('Changing param values is not allowed') });
    for (const body of [
      { run_id: runId, params: [{ key: 'ok', value: '1' }], tags: [{ key: 'bad;key', value: 'x' }] },
      { run_id: runId, params: [{ key: 'p', value: 'v'.repeat(6001) }] },
      { run_id: runId, metrics: [{ key: 'm', value: 'high', timestamp: 1 }] },
      { run_id: runId, metrics: [{ key: '../m', value: 1, timestamp: 1 }] },
    ]) {
      const refused = await call('POST', api('runs/log-batch'), { body });
      expect(refused.status).toBe(400);
      expect(refused.body['error_code']).toBe('INVALID_PARAMETER_VALUE');
    }
    expect(await getRun(runId)).toEqual(before);
    const missing = await call('GET', api('runs/get?run_id=0123456789abcdef0123456789abcdef'));
    expect(missing.status).toBe(404);
    expect(missing.body['error_code']).toBe('RESOURCE_DOES_NOT_EXIST');
  });

  it('keeps unknown fields of newer clients out of the way (dropped, not refused)', async () => {
    const { runId } = await newRun(await newExperiment());
    expect((await call('POST', api('runs/set-tag'), { body: { run_id: runId, key: 'k', value: 'v', some_future_field: 1 } })).status).toBe(200);
  });

  it('needs a token; readers read, contributors write', async () => {
    const { runId } = await newRun(await newExperiment());
    expect((await call('GET', api(`runs/get?run_id=${runId}`), { token: null })).status).toBe(401);
    expect((await call('GET', api(`runs/get?run_id=${runId}`), { token: CAST.carol.token })).status).toBe(200);
    const denied = await call('POST', api('runs/set-tag'), { token: CAST.carol.token, body: { run_id: runId, key: 'k', value: 'v' } });
    expect(denied.status).toBe(403);
    expect((await getRun(runId)).data.tags?.some((t) => t.key === 'k')).toBe(false);
    expect((await call('PUT', art(`0/${runId}/artifacts/x.txt`), { token: CAST.carol.token, raw: 'x' })).status).toBe(403);
    expect((await call('GET', '/api/3.0/mlflow/server-info', { token: CAST.carol.token })).body).toMatchObject({ store_type: 'SqlStore', multipart_uploads_enabled: false });
  });
});

describe('MLflow run search', () => {
  interface RunShape {
    info: Body;
    data: { metrics?: { key: string; value: number }[]; params?: { key: string; value: string }[]; tags?: { key: string; value: string }[] };
  }
  const search = async (body: Body) => {
    const answer = await call('POST', api('runs/search'), { body });
    return { ...answer, runs: ((answer.body['runs'] as RunShape[] | undefined) ?? []).map((r) => r.info['run_id'] as string) };
  };
  let experimentId = '';
  let other = '';
  const ids: Record<'a' | 'b' | 'c' | 'd', string> = { a: '', b: '', c: '', d: '' };

  // a: acc 0.9 (latest of two), lr 0.1, team risk, FINISHED; b: acc 0.7, lr 0.01, team ops; c: no acc, lr 0.1,
  // no team, NaN loss; d (another experiment): acc 0.95. Start times a < b < c < d.
  beforeAll(async () => {
    experimentId = await newExperiment();
    other = await newExperiment();
    const make = async (experiment: string, startTime: number, runName: string, batch: Body) => {
      const created = await call('POST', api('runs/create'), { body: { experiment_id: experiment, start_time: startTime, run_name: runName } });
      const runId = (created.body['run'] as { info: { run_id: string } }).info.run_id;
      expect((await call('POST', api('runs/log-batch'), { body: { run_id: runId, ...batch } })).status).toBe(200);
      return runId;
    };
    ids.a = await make(experimentId, 1000, 'alpha', {
      params: [
        { key: 'lr', value: '0.1' },
        { key: 'batch size', value: '32' },
      ],
      metrics: [
        { key: 'acc', value: 0.95, timestamp: 1, step: 0 },
        { key: 'acc', value: 0.9, timestamp: 2, step: 1 },
      ],
      tags: [{ key: 'team', value: 'risk' }],
    });
    await call('POST', api('runs/update'), { body: { run_id: ids.a, status: 'FINISHED', end_time: 5000 } });
    ids.b = await make(experimentId, 2000, 'beta', { params: [{ key: 'lr', value: '0.01' }], metrics: [{ key: 'acc', value: 0.7, timestamp: 1, step: 0 }], tags: [{ key: 'team', value: 'ops' }] });
    ids.c = await make(experimentId, 3000, 'gamma', { params: [{ key: 'lr', value: '0.1' }], metrics: [{ key: 'loss', value: 'NaN', timestamp: 1, step: 0 }] });
    ids.d = await make(other, 4000, 'delta', { metrics: [{ key: 'acc', value: 0.95, timestamp: 1, step: 0 }] });
  });

  it('filters on metrics (their latest value), params, tags and attributes, newest first by default', async () => {
    const both = [experimentId, other];
    expect((await search({ experiment_ids: both })).runs).toEqual([ids.d, ids.c, ids.b, ids.a]);
    expect((await search({ experiment_ids: both, filter: 'metrics.acc > 0.8' })).runs).toEqual([ids.d, ids.a]);
    expect((await search({ experiment_ids: both, filter: 'metrics.acc >= 0.95' })).runs).toEqual([ids.d]);
    expect((await search({ experiment_ids: both, filter: "params.lr = '0.1'" })).runs).toEqual([ids.c, ids.a]);
    expect((await search({ experiment_ids: both, filter: "params.lr != '0.1'" })).runs).toEqual([ids.b]);
    expect((await search({ experiment_ids: both, filter: "params.`batch size` LIKE '3%' AND metrics.acc < 1" })).runs).toEqual([ids.a]);
    expect((await search({ experiment_ids: both, filter: "tags.team ILIKE 'RI%'" })).runs).toEqual([ids.a]);
    // The tracking store joins the key: runs without the tag match neither = nor !=.
    expect((await search({ experiment_ids: both, filter: "tags.team != 'risk'" })).runs).toEqual([ids.b]);
    expect((await search({ experiment_ids: both, filter: 'tags.team IS NULL' })).runs).toEqual([ids.d, ids.c]);
    expect((await search({ experiment_ids: both, filter: "attributes.status = 'FINISHED'" })).runs).toEqual([ids.a]);
    expect((await search({ experiment_ids: both, filter: "attributes.run_name LIKE '%ta'" })).runs).toEqual([ids.d, ids.b]);
    expect((await search({ experiment_ids: both, filter: 'attributes.start_time >= 2000 AND attributes.start_time < 4000' })).runs).toEqual([ids.c, ids.b]);
    expect((await search({ experiment_ids: both, filter: 'attributes.end_time > 0' })).runs).toEqual([ids.a]);
    expect((await search({ experiment_ids: both, filter: `attributes.run_id IN ('${ids.a}', '${ids.d}')` })).runs).toEqual([ids.d, ids.a]);
    // A NaN is != every number and nothing else, as in MLflow.
    expect((await search({ experiment_ids: both, filter: 'metrics.loss != 1' })).runs).toEqual([ids.c]);
    expect((await search({ experiment_ids: both, filter: 'metrics.loss >= 0' })).runs).toEqual([]);
    const found = await search({ experiment_ids: [experimentId], filter: "params.lr = '0.01'" });
    expect(found.body).toEqual({ runs: [expect.objectContaining({ data: expect.objectContaining({ metrics: [{ key: 'acc', value: 0.7, timestamp: 1, step: 0 }] }) })] });
    expect((await search({ experiment_ids: [experimentId], filter: "params.lr = 'none'" })).body).toEqual({});
  });

  it('orders by a metric, a param or an attribute', async () => {
    const both = [experimentId, other];
    // Runs without the value come last in both directions, newest first (the order MLflow's server gives).
    expect((await search({ experiment_ids: both, order_by: ['metrics.acc DESC'] })).runs).toEqual([ids.d, ids.a, ids.b, ids.c]);
    expect((await search({ experiment_ids: both, order_by: ['metrics.acc ASC'] })).runs).toEqual([ids.b, ids.a, ids.d, ids.c]);
    expect((await search({ experiment_ids: both, order_by: ['tags.team'] })).runs).toEqual([ids.b, ids.a, ids.d, ids.c]);
    expect((await search({ experiment_ids: both, order_by: ['attributes.end_time DESC'] })).runs).toEqual([ids.a, ids.d, ids.c, ids.b]);
    // A NaN comes after the numbers, before the runs without the metric.
    expect((await search({ experiment_ids: both, order_by: ['metrics.loss DESC'] })).runs).toEqual([ids.c, ids.d, ids.b, ids.a]);
    expect((await search({ experiment_ids: both, order_by: ['attributes.start_time'] })).runs).toEqual([ids.a, ids.b, ids.c, ids.d]);
    expect((await search({ experiment_ids: both, order_by: ['params.lr DESC'], filter: 'params.lr IS NOT NULL' })).runs).toEqual(expect.arrayContaining([ids.a, ids.c]));
    expect((await search({ experiment_ids: both, order_by: ['params.lr DESC'] })).runs.slice(2)).toEqual([ids.b, ids.d]);
    expect((await search({ experiment_ids: both, order_by: ['attributes.run_name DESC'] })).runs).toEqual([ids.c, ids.d, ids.b, ids.a]);
  });

  it('pages with max_results and page_token, and keeps deleted runs apart by run_view_type', async () => {
    const first = await search({ experiment_ids: [experimentId, other], max_results: 3, order_by: ['metrics.acc DESC'] });
    expect(first.runs).toEqual([ids.d, ids.a, ids.b]);
    const token = first.body['next_page_token'] as string;
    expect(token).toEqual(expect.any(String));
    const second = await search({ experiment_ids: [experimentId, other], max_results: 3, order_by: ['metrics.acc DESC'], page_token: token });
    expect(second.runs).toEqual([ids.c]);
    expect(second.body['next_page_token']).toBeUndefined();
    // A token continues only the query it was issued for.
    expect((await search({ experiment_ids: [experimentId, other], max_results: 3, page_token: token })).status).toBe(400);
    // Pages of one run each walk through the runs with the metric, then those without it.
    const walked: string[] = [];
    let next: string | undefined;
    for (let i = 0; i < 6; i++) {
      const page = await search({ experiment_ids: [experimentId, other], max_results: 1, order_by: ['metrics.acc ASC'], ...(next ? { page_token: next } : {}) });
      walked.push(...page.runs);
      next = page.body['next_page_token'] as string | undefined;
      if (next === undefined) break;
    }
    expect(walked).toEqual([ids.b, ids.a, ids.d, ids.c]);

    const doomed = (await newRun(experimentId)).runId;
    expect((await call('POST', api('runs/delete'), { body: { run_id: doomed } })).status).toBe(200);
    expect((await search({ experiment_ids: [experimentId] })).runs).not.toContain(doomed);
    expect((await search({ experiment_ids: [experimentId], run_view_type: 'DELETED_ONLY' })).runs).toEqual([doomed]);
    expect((await search({ experiment_ids: [experimentId], run_view_type: 'ALL' })).runs).toHaveLength(4);
  });

  it('refuses a bad filter, order_by, max_results or page token with 400 INVALID_PARAMETER_VALUE', async () => {
    for (const body of [
      { experiment_ids: [experimentId], filter: "metrics.acc > 'high'" },
      { experiment_ids: [experimentId], filter: "params.lr > '1'" },
      { experiment_ids: [experimentId], filter: "nope = 'x'" },
      { experiment_ids: [experimentId], filter: 'metrics.acc > 1 OR metrics.acc < 0' },
      { experiment_ids: [experimentId], order_by: ['metrics.acc sideways'] },
      { experiment_ids: [experimentId], order_by: ['bogus DESC'] },
      { experiment_ids: [experimentId], max_results: 50001 },
      { experiment_ids: [experimentId], max_results: 0 },
      { experiment_ids: [experimentId], page_token: 'not-a-token' },
      { experiment_ids: [experimentId], run_view_type: 'SOME' },
    ]) {
      const refused = await call('POST', api('runs/search'), { body });
      expect({ body, status: refused.status, code: refused.body['error_code'] }).toEqual({ body, status: 400, code: 'INVALID_PARAMETER_VALUE' });
    }
  });
});

describe('MLflow experiment search and metric history pages', () => {
  it('searches experiments by GET as by POST: filter on name and tags, order_by, view_type, pages', async () => {
    const prefix = unique('gx');
    const made: string[] = [];
    for (const [i, team] of ['risk', 'ops', 'risk'].entries()) {
      const created = await call('POST', api('experiments/create'), { body: { name: `${prefix}-${i}`, tags: [{ key: 'team', value: team }] } });
      made.push(created.body['experiment_id'] as string);
      // Distinct creation times, so the default order (newest first) has no ties.
      await new Promise((r) => setTimeout(r, 5));
    }
    const get = async (query: string) => {
      const answer = await call('GET', api(`experiments/search?${query}`));
      expect(answer.status).toBe(200);
      return { ids: ((answer.body['experiments'] as Body[] | undefined) ?? []).map((e) => e['experiment_id']), token: answer.body['next_page_token'] as string | undefined };
    };
    const filter = (f: string) => `filter=${encodeURIComponent(f)}`;
    expect((await get(filter(`name LIKE '${prefix}-%'`))).ids).toEqual([made[2], made[1], made[0]]);
    expect((await get(`${filter(`name LIKE '${prefix}-%' AND tags.team = 'risk'`)}&order_by=name`)).ids).toEqual([made[0], made[2]]);
    expect((await get(`${filter(`name LIKE '${prefix}-%'`)}&order_by=${encodeURIComponent('name DESC')}&order_by=creation_time`)).ids).toEqual([made[2], made[1], made[0]]);
    const first = await get(`${filter(`name LIKE '${prefix}-%'`)}&order_by=name&max_results=2`);
    expect(first.ids).toEqual([made[0], made[1]]);
    expect((await get(`${filter(`name LIKE '${prefix}-%'`)}&order_by=name&max_results=2&page_token=${first.token ?? ''}`)).ids).toEqual([made[2]]);
    await call('POST', api('experiments/delete'), { body: { experiment_id: made[1] } });
    expect((await get(filter(`name LIKE '${prefix}-%'`))).ids).toEqual([made[2], made[0]]);
    expect((await get(`${filter(`name LIKE '${prefix}-%'`)}&view_type=DELETED_ONLY`)).ids).toEqual([made[1]]);
    expect((await get(`${filter(`name LIKE '${prefix}-%'`)}&view_type=3`)).ids).toHaveLength(3);
    const posted = await call('POST', api('experiments/search'), { body: { filter: `name LIKE '${prefix}-%' AND tags.team != 'ops'`, view_type: 'ALL', order_by: ['name'] } });
    expect((posted.body['experiments'] as Body[]).map((e) => e['experiment_id'])).toEqual([made[0], made[2]]);
    for (const query of [filter('tags.team > 1'), filter("bogus = 'x'"), 'order_by=tags.team', 'max_results=50001', 'view_type=SOME', 'page_token=zzz']) {
      const refused = await call('GET', api(`experiments/search?${query}`));
      expect({ query, status: refused.status, code: refused.body['error_code'] }).toEqual({ query, status: 400, code: 'INVALID_PARAMETER_VALUE' });
    }
  });

  it('pages a metric history with max_results and page_token, ordered by timestamp, step and value', async () => {
    const { runId } = await newRun(await newExperiment());
    const metrics = [5, 1, 3, 2, 4].map((t) => ({ key: 'loss', value: t / 10, timestamp: t, step: t }));
    await call('POST', api('runs/log-batch'), { body: { run_id: runId, metrics } });
    const page = async (extra: string) => (await call('GET', api(`metrics/get-history?run_id=${runId}&metric_key=loss${extra}`))).body;
    const all = await page('');
    expect((all['metrics'] as Body[]).map((m) => m['timestamp'])).toEqual([1, 2, 3, 4, 5]);
    expect(all['next_page_token']).toBeUndefined();
    const seen: unknown[] = [];
    let token: string | undefined;
    for (let i = 0; i < 5; i++) {
      const answer = await page(`&max_results=2${token ? `&page_token=${token}` : ''}`);
      seen.push(...(answer['metrics'] as Body[]).map((m) => m['timestamp']));
      token = answer['next_page_token'] as string | undefined;
      if (token === undefined) break;
    }
    expect(seen).toEqual([1, 2, 3, 4, 5]);
    for (const extra of ['&max_results=0', '&max_results=-1', '&page_token=nope']) {
      const refused = await call('GET', api(`metrics/get-history?run_id=${runId}&metric_key=loss${extra}`));
      expect({ extra, status: refused.status, code: refused.body['error_code'] }).toEqual({ extra, status: 400, code: 'INVALID_PARAMETER_VALUE' });
    }
  });
});

describe('MLflow logged models and the artifact proxy', () => {
  it('uploads, lists and downloads a logged model, and a registered version imports its files', async () => {
    const experimentId = await newExperiment();
    const { runId } = await newRun(experimentId);
    await call('POST', api('runs/log-batch'), { body: { run_id: runId, params: [{ key: 'C', value: '1.0' }], tags: [{ key: 'mlflow.source.git.commit', value: '3f2a9c1e' }] } });
    const created = await call('POST', api('logged-models'), { body: { experiment_id: experimentId, name: 'model', source_run_id: runId, params: [{ key: 'C', value: '1.0' }] } });
    expect(created.status).toBe(200);
    const info = (created.body['model'] as { info: Body }).info;
    const modelId = info['model_id'] as string;
    expect(info).toMatchObject({ status: 'LOGGED_MODEL_PENDING', model_type: '', source_run_id: runId, artifact_uri: `mlflow-artifacts:/${experimentId}/models/${modelId}/artifacts` });
    await call('POST', api('runs/outputs'), { body: { run_id: runId, models: [{ model_id: modelId, step: 0 }] } });
    await call('POST', api('runs/log-batch'), { body: { run_id: runId, metrics: [{ key: 'acc', value: 0.9, timestamp: 1, step: 0, model_id: modelId }] } });

    const root = `${experimentId}/models/${modelId}/artifacts`;
    const weights = Buffer.from(Array.from({ length: 5000 }, (_, i) => i % 251));
    expect((await call('PUT', art(`${root}/MLmodel`), { raw: 'artifact_path: model\n' })).status).toBe(200);
    expect((await call('PUT', art(`${root}/data/model.pkl`), { raw: weights, headers: { 'content-type': 'application/octet-stream' } })).status).toBe(200);
    expect((await call('PUT', art(`${root}/MLmodel`), { raw: 'artifact_path: model\nflavors: {}\n' })).status).toBe(200);

    expect((await call('GET', `/api/2.0/mlflow-artifacts/artifacts?path=${encodeURIComponent(root)}`)).body).toEqual({
      files: [
        { path: 'MLmodel', is_dir: false, file_size: 33 },
        { path: 'data', is_dir: true },
      ],
    });
    expect((await call('GET', `/api/2.0/mlflow-artifacts/artifacts?path=${encodeURIComponent(`${root}/MLmodel`)}`)).body).toEqual({});
    expect((await call('GET', `/api/2.0/mlflow-artifacts/artifacts?path=${encodeURIComponent(`${root}/nothing`)}`)).text).toBe('{}');
    const whole = await call('GET', art(`${root}/MLmodel`));
    expect(whole.text).toBe('artifact_path: model\nflavors: {}\n');
    const part = await fetch(`${service?.url ?? ''}${art(`${root}/data/model.pkl`)}`, { headers: { authorization: `Bearer ${CAST.alice.token}`, range: 'bytes=10-19' } });
    expect(part.status).toBe(206);
    expect(Buffer.from(await part.arrayBuffer())).toEqual(weights.subarray(10, 20));

    const finalized = await call('PATCH', api(`logged-models/${modelId}`), { body: { model_id: modelId, status: 'LOGGED_MODEL_READY' } });
    expect((finalized.body['model'] as { info: Body }).info['status']).toBe('LOGGED_MODEL_READY');
    expect((finalized.body['model'] as { data: Body }).data).toEqual({
      params: [{ key: 'C', value: '1.0' }],
      metrics: [{ key: 'acc', value: 0.9, timestamp: 1, step: 0, model_id: modelId, run_id: runId }],
    });
    expect((await call('PATCH', api(`logged-models/${modelId}/tags`), { body: { tags: [{ key: 'mlflow.modelVersions', value: '[]' }] } })).body).toEqual({});
    const search = await call('POST', api('logged-models/search'), { body: { experiment_ids: [experimentId], filter: "name = 'model'" } });
    expect((search.body['models'] as { info: Body }[]).map((m) => m.info['model_id'])).toEqual([modelId]);

    // What a registration from `models:/<id>` records, and the import of its files into the version.
    const queries = service?.app.get(TrackingQueries);
    const facts = await queries?.resolveRegistrationSource({ source: `models:/${modelId}`, modelId });
    expect(facts).toEqual({
      runId,
      loggedModelId: modelId,
      artifactSource: root,
      params: { C: '1.0' },
      metrics: { acc: 0.9 },
      runTags: expect.objectContaining({ 'mlflow.source.git.commit': '3f2a9c1e' }) as Record<string, string>,
      lineage: { datasets: [], codeCommit: '3f2a9c1e', pipeline: 'train.py' },
    });
    await expect(queries?.resolveRegistrationSource({ source: 'models:/m-00000000000000000000000000000000' })).rejects.toMatchObject({ code: 'NOT_FOUND' });
    expect(await queries?.resolveRegistrationSource({ source: 's3://bucket/model' })).toEqual({ params: {}, metrics: {}, runTags: {}, lineage: { datasets: [] } });

    const models = service?.app.get(ModelRegistration);
    const versions = service?.app.get(VersionRegistration);
    const ctx = { principal: SYSTEM_PRINCIPAL, correlationId: 'e2e' };
    const modelName = unique('imported');
    await models?.register({ name: modelName }, ctx);
    const version = await versions?.create(modelName, { source: `models:/${modelId}`, artifactSource: root }, ctx);
    const manifestPath = `/api/v1/models/${modelName}/versions/1/artifacts`;
    let items: { path: string; sha256: string }[] = [];
    for (let i = 0; i < 100 && items.length < 2; i++) {
      items = ((await call('GET', manifestPath)).body['items'] as { path: string; sha256: string }[] | undefined) ?? [];
      if (items.length < 2) await new Promise((r) => setTimeout(r, 50));
    }
    expect(items.map((i) => i.path)).toEqual(['MLmodel', 'data/model.pkl']);
    expect(items[1]?.sha256).toBe(createHash('sha256').update(weights).digest('hex'));
    const versionRoot = `mreg-versions/${version?.modelId ?? ''}/1`;
    expect((await call('GET', `/api/2.0/mlflow-artifacts/artifacts?path=${versionRoot}`)).body).toEqual({
      files: [
        { path: 'MLmodel', is_dir: false, file_size: 33 },
        { path: 'data', is_dir: true },
      ],
    });
    expect((await call('GET', art(`${versionRoot}/MLmodel`))).text).toBe('artifact_path: model\nflavors: {}\n');
    expect((await call('PUT', art(`${versionRoot}/MLmodel`), { raw: 'tampered' })).status).toBe(403);
    expect((await call('GET', art(`${versionRoot}/MLmodel`))).text).toBe('artifact_path: model\nflavors: {}\n');
  });

  it('refuses unsafe artifact paths with 400 and stores nothing', async () => {
    for (const path of ['0/r/artifacts/..%2Fescape', '0/r/artifacts/a/../../b', '0/r/artifacts/%2e%2e/x']) {
      const refused = await rawRequest(castTarget(service?.url ?? ''), 'PUT', art(path), { user: 'alice', body: 'x', headers: { 'content-type': 'text/plain' } });
      expect(refused.status).toBe(400);
    }
    expect((await call('GET', '/api/2.0/mlflow-artifacts/artifacts?path=0%2Fr%2Fartifacts')).body).toEqual({});
    expect((await call('GET', `/api/2.0/mlflow-artifacts/artifacts?path=${encodeURIComponent('a/../b')}`)).status).toBe(400);
  });

  it('takes a directory uploaded in parallel, as MLflow clients do', async () => {
    const root = `0/${unique('p')}/artifacts`;
    const names = Array.from({ length: 16 }, (_, i) => `f${String(i).padStart(2, '0')}.bin`);
    const answers = await Promise.all(names.map((n) => call('PUT', art(`${root}/model/${n}`), { raw: n })));
    expect(answers.map((a) => a.status)).toEqual(names.map(() => 200));
    const listed = (await call('GET', `/api/2.0/mlflow-artifacts/artifacts?path=${encodeURIComponent(`${root}/model`)}`)).body['files'] as { path: string }[];
    expect(listed.map((f) => f.path)).toEqual(names);
  });

  it('deletes an artifact path', async () => {
    const root = `0/${unique('r')}/artifacts`;
    await call('PUT', art(`${root}/a.txt`), { raw: 'a' });
    await call('PUT', art(`${root}/dir/b.txt`), { raw: 'b' });
    expect((await call('DELETE', art(`${root}/dir`))).status).toBe(200);
    expect((await call('GET', `/api/2.0/mlflow-artifacts/artifacts?path=${encodeURIComponent(root)}`)).body).toEqual({ files: [{ path: 'a.txt', is_dir: false, file_size: 1 }] });
    expect((await call('GET', art(`${root}/dir/b.txt`))).status).toBe(404);
  });
});
