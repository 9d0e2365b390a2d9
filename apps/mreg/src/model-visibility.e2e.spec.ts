import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { loadConfig } from '@mreg/platform/runtime';
import { CAST, castTokensJson } from '@mreg/testing/e2e';
import { startRegistry } from './registry-app';
import type { StartedRegistry } from './registry-app';

// MREG_MODEL_VISIBILITY=owners: new models are private to their creator, readable by the creator's groups (decision 32).
describe('MREG_MODEL_VISIBILITY=owners', () => {
  const dataDir = mkdtempSync(join(tmpdir(), 'mreg-visibility-'));
  let registry: StartedRegistry;

  beforeAll(async () => {
    registry = await startRegistry(loadConfig({ MREG_TOKENS: castTokensJson(), MREG_DATA_DIR: dataDir, PORT: '0', MREG_HOST: '127.0.0.1', MREG_LOG_LEVEL: 'error', MREG_MODEL_VISIBILITY: 'owners' }));
  });

  afterAll(async () => {
    await registry.app.close();
    rmSync(dataDir, { recursive: true, force: true });
  });

  const call = async (who: keyof typeof CAST, method: string, path: string, body?: unknown) => {
    const reply = await fetch(`${registry.url}${path}`, {
      method,
      headers: { authorization: `Bearer ${CAST[who].token}`, ...(body === undefined ? {} : { 'content-type': 'application/json' }) },
      ...(body === undefined ? {} : { body: JSON.stringify(body) }),
    });
    return { status: reply.status, body: (await reply.json()) as Record<string, unknown> };
  };

  it('makes a new model private to its creator and readable by the creator groups', async () => {
    expect((await call('erin', 'POST', '/api/v1/models', { name: 'risk-scorer' })).status).toBe(201);
    expect((await call('erin', 'GET', '/api/v1/models/risk-scorer/access')).body).toEqual({
      visibility: 'private',
      grants: [
        { subject: 'group:risk-team', permission: 'read' },
        { subject: 'user:erin', permission: 'manage' },
      ],
    });
    for (const who of ['alice', 'carol', 'dave'] as const) {
      expect((await call(who, 'GET', '/api/v1/models/risk-scorer')).status).toBe(404);
      expect((await call(who, 'GET', '/api/v1/models?filter=name%20%3D%20%27risk-scorer%27')).body).toEqual({ items: [], nextPageToken: null });
    }
    expect((await call('admin', 'GET', '/api/v1/models/risk-scorer')).status).toBe(200);
    // Opening it is its manager's call.
    expect((await call('erin', 'PUT', '/api/v1/models/risk-scorer/access/visibility', { visibility: 'registry' })).status).toBe(200);
    expect((await call('carol', 'GET', '/api/v1/models/risk-scorer')).status).toBe(200);
  });

  it('refuses an unknown visibility at start', () => {
    expect(() => loadConfig({ MREG_MODEL_VISIBILITY: 'everyone' })).toThrow(/modelVisibility|MREG_MODEL_VISIBILITY/);
  });
});
