import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { loadConfig } from '@mreg/platform/runtime';
import { CAST, castTokensJson } from '@mreg/testing/e2e';
import { startRegistry } from './registry-app';
import type { StartedRegistry } from './registry-app';

// MREG_DEFAULT_APPROVAL_POLICY: the registry-wide default an admin sets at start, recorded as an event.
describe('MREG_DEFAULT_APPROVAL_POLICY', () => {
  const dirs: string[] = [];
  const started: StartedRegistry[] = [];
  const start = async (policy: string, dataDir = mkdtempSync(join(tmpdir(), 'mreg-policy-'))) => {
    dirs.push(dataDir);
    const registry = await startRegistry(loadConfig({ MREG_TOKENS: castTokensJson(), MREG_DATA_DIR: dataDir, PORT: '0', MREG_HOST: '127.0.0.1', MREG_LOG_LEVEL: 'error', MREG_DEFAULT_APPROVAL_POLICY: policy }));
    started.push(registry);
    return registry;
  };
  const call = async (registry: StartedRegistry, who: keyof typeof CAST, method: string, path: string, body?: unknown) => {
    const reply = await fetch(`${registry.url}${path}`, {
      method,
      headers: { authorization: `Bearer ${CAST[who].token}`, ...(body === undefined ? {} : { 'content-type': 'application/json' }) },
      ...(body === undefined ? {} : { body: JSON.stringify(body) }),
    });
    return { status: reply.status, body: (await reply.json()) as Record<string, unknown> };
  };

  afterAll(async () => {
    for (const registry of started) await registry.app.close();
    for (const dir of dirs) rmSync(dir, { recursive: true, force: true });
  });

  it('makes MLflow transitions immediate where it needs no approval, and a model policy still wins', async () => {
    const registry = await start('{"production": {"requiredApprovals": 0, "approverRole": "approver"}}');
    const policy = await call(registry, 'carol', 'GET', '/api/v1/policy');
    expect(policy.body).toEqual({
      policy: {
        development: { requiredApprovals: 0, approverRole: 'approver' },
        staging: { requiredApprovals: 1, approverRole: 'approver' },
        production: { requiredApprovals: 0, approverRole: 'approver' },
        archived: { requiredApprovals: 0, approverRole: 'approver' },
        protectedAliases: {},
      },
    });
    for (const name of ['follows-default', 'own-policy']) {
      expect((await call(registry, 'alice', 'POST', '/api/2.0/mlflow/registered-models/create', { name })).status).toBe(200);
      expect((await call(registry, 'alice', 'POST', '/api/2.0/mlflow/model-versions/create', { name, source: 's3://b/m' })).status).toBe(200);
    }
    const moved = await call(registry, 'alice', 'POST', '/api/2.0/mlflow/model-versions/transition-stage', { name: 'follows-default', version: '1', stage: 'Production' });
    expect(moved).toMatchObject({ status: 200, body: { model_version: { current_stage: 'Production' } } });

    const strict = { production: { requiredApprovals: 1, approverRole: 'approver' } };
    expect((await call(registry, 'admin', 'PATCH', '/api/v1/models/own-policy/policy', strict)).status).toBe(200);
    const held = await call(registry, 'alice', 'POST', '/api/2.0/mlflow/model-versions/transition-stage', { name: 'own-policy', version: '1', stage: 'Production' });
    expect(held).toMatchObject({ status: 403, body: { error_code: 'PERMISSION_DENIED' } });
  });

  it('survives restarts with the same setting, and a changed setting replaces it at the next start', async () => {
    const dataDir = mkdtempSync(join(tmpdir(), 'mreg-policy-'));
    const zero = '{"staging": {"requiredApprovals": 0, "approverRole": "approver"}}';
    const first = await start(zero, dataDir);
    await first.app.close();
    started.splice(started.indexOf(first), 1);
    const again = await start(zero, dataDir);
    await again.app.close();
    started.splice(started.indexOf(again), 1);
    const changed = await start('{"staging": {"requiredApprovals": 2, "approverRole": "admin"}}', dataDir);
    const policy = await call(changed, 'carol', 'GET', '/api/v1/policy');
    expect(policy.body).toMatchObject({ policy: { staging: { requiredApprovals: 2, approverRole: 'admin' } } });
    // The pseudo-model id "default" that holds it is no model name.
    expect((await call(changed, 'admin', 'GET', '/api/v1/models/default')).status).toBe(404);
  });

  it('protects aliases in every model that follows it; the API and MLflow doors obey alike', async () => {
    const registry = await start('{"protectedAliases": {"champion": {"stage": "production", "role": "approver"}}, "staging": {"requiredApprovals": 0, "approverRole": "approver"}}');
    const policy = await call(registry, 'carol', 'GET', '/api/v1/policy');
    expect(policy.body).toMatchObject({ policy: { staging: { requiredApprovals: 0 }, protectedAliases: { champion: { stage: 'production', role: 'approver' } } } });
    expect((await call(registry, 'alice', 'POST', '/api/v1/models', { name: 'guarded' })).status).toBe(201);
    expect((await call(registry, 'alice', 'POST', '/api/v1/models/guarded/versions', {})).status).toBe(201);
    expect(await call(registry, 'alice', 'PUT', '/api/v1/models/guarded/aliases/champion', { version: 1 })).toMatchObject({ status: 403, body: { error: { code: 'PERMISSION_DENIED' } } });
    expect(await call(registry, 'alice', 'POST', '/api/2.0/mlflow/registered-models/alias', { name: 'guarded', alias: 'champion', version: '1' })).toMatchObject({ status: 403, body: { error_code: 'PERMISSION_DENIED' } });
    expect(await call(registry, 'bob', 'PUT', '/api/v1/models/guarded/aliases/champion', { version: 1 })).toMatchObject({ status: 409, body: { error: { code: 'FAILED_PRECONDITION' } } });
    expect((await call(registry, 'alice', 'PUT', '/api/v1/models/guarded/aliases/challenger', { version: 1 })).status).toBe(200);
  });

  it('refuses to start with a policy that is not one', async () => {
    await expect(start('{"production": {"requiredApprovals": 99, "approverRole": "approver"}}')).rejects.toThrow(/MREG_DEFAULT_APPROVAL_POLICY: .*requiredApprovals/);
    await expect(start('{"production": ')).rejects.toThrow(/MREG_DEFAULT_APPROVAL_POLICY/);
    await expect(start('{"production": {"requiredApprovals": 0, "approverRole": "reader"}}')).rejects.toThrow(/MREG_DEFAULT_APPROVAL_POLICY/);
    await expect(start('{"protectedAliases": {"Champion": {"stage": "production", "role": "approver"}}}')).rejects.toThrow(/MREG_DEFAULT_APPROVAL_POLICY: .*protectedAliases "Champion"/);
    await expect(start('{"protectedAliases": {"champion": {"stage": "live", "role": "approver"}}}')).rejects.toThrow(/MREG_DEFAULT_APPROVAL_POLICY: .*stage must be one of/);
  });
});
