import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { loadConfig } from '@mreg/platform/runtime';
import { RegistryClient, castTarget, castTokensJson, uniqueName } from '@mreg/testing/e2e';
import type { Json } from '@mreg/testing/e2e';
import { startRegistry } from './registry-app';
import type { StartedRegistry } from './registry-app';

// Data survives a restart: the log, the read models and the artifacts are all on disk under MREG_DATA_DIR.
describe('restart', () => {
  let dataDir = '';
  let registry: StartedRegistry | undefined;
  const start = async () => {
    registry = await startRegistry(loadConfig({ MREG_TOKENS: castTokensJson(), MREG_DATA_DIR: dataDir, PORT: '0', MREG_HOST: '127.0.0.1', MREG_LOG_LEVEL: 'error' }));
    return new RegistryClient(castTarget(registry.url)).as('alice');
  };

  beforeAll(() => {
    dataDir = mkdtempSync(join(tmpdir(), 'mreg-restart-'));
  });
  afterAll(async () => {
    await registry?.app.close();
    rmSync(dataDir, { recursive: true, force: true });
  });

  it('keeps models, versions, artifacts and history across a restart, and keeps numbering', async () => {
    const name = uniqueName('restart');
    let alice = await start();
    expect((await alice.post('/api/v1/models', { name, tags: { team: 'ml' } })).status).toBe(201);
    expect((await alice.post(`/api/v1/models/${name}/versions`, { metrics: { auc: 0.8 } })).status).toBe(201);
    const upload = await alice.request('PUT', `/api/v1/models/${name}/versions/1/artifacts/weights.bin`, { body: Buffer.from('0123456789') });
    expect(upload.status).toBe(201);
    const before = await alice.get<{ items: Json[] }>(`/api/v1/models/${name}/history`);
    await registry?.app.close();

    alice = await start();
    const model = await alice.get<Json>(`/api/v1/models/${name}`);
    expect(model.status).toBe(200);
    expect(model.body).toMatchObject({ name, tags: { team: 'ml' }, latestVersion: 1 });
    const download = await alice.get(`/api/v1/models/${name}/versions/1/artifacts/weights.bin`);
    expect(download.text).toBe('0123456789');
    const after = await alice.get<{ items: Json[] }>(`/api/v1/models/${name}/history`);
    // Relay and projections resume from their checkpoints: nothing lost, nothing doubled.
    expect(after.body.items.map((e) => e['eventId'])).toEqual(before.body.items.map((e) => e['eventId']));
    const second = await alice.post<Json>(`/api/v1/models/${name}/versions`, {});
    expect(second.body['version']).toBe(2);
  });
});
