import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { COLLECTIONS } from '@mreg/audit/read-models';
import type { ModelDoc } from '@mreg/audit/read-models';
import { SqliteReadStore } from '@mreg/platform/read-store/sqlite';
import { loadConfig } from '@mreg/platform/runtime';
import { TRACKING_COLLECTIONS } from '@mreg/tracking/feature';
import type { RunDoc } from '@mreg/tracking/feature';
import { API, RegistryClient, castTarget, castTokensJson, createModel, createVersion, modelPath, promote, uniqueName, versionPath } from '@mreg/testing/e2e';
import { startRegistry } from './registry-app';
import { runReplayCommand } from './replay-command';

// The ops command behind `npm run replay`, on the embedded adapters: the read models a running registry built
// equal a rebuild from its log; a tampered document shows up in the summary; the live store is never written.
describe('replay command (embedded)', () => {
  let dataDir = '';
  const env = () => ({ MREG_DATA_DIR: dataDir, MREG_LOG_LEVEL: 'error' });

  beforeAll(async () => {
    dataDir = mkdtempSync(join(tmpdir(), 'mreg-replay-cmd-'));
    const registry = await startRegistry(loadConfig({ MREG_TOKENS: castTokensJson(), MREG_DATA_DIR: dataDir, PORT: '0', MREG_HOST: '127.0.0.1', MREG_LOG_LEVEL: 'error' }));
    try {
      const target = castTarget(registry.url);
      const alice = new RegistryClient(target).as('alice');
      const bob = new RegistryClient(target).as('bob');
      for (let m = 0; m < 2; m++) {
        const name = uniqueName('replay-cmd');
        await createModel(alice, name, { tags: { team: 'ml' } });
        await createVersion(alice, name, { metrics: { auc: 0.8 } });
        await createVersion(alice, name);
        expect((await alice.request('PUT', `${versionPath(name, 1)}/artifacts/model.bin`, { body: Buffer.from('weights') })).status).toBe(201);
        expect((await alice.put(`${modelPath(name)}/aliases/champion`, { version: 2 })).status).toBe(200);
        await promote(alice, bob, name, 1, 'staging');
        expect((await alice.patch(`${modelPath(name)}`, { description: 'renamed soon' })).status).toBeLessThan(300);
      }
      expect((await alice.get(`${API}/models`)).status).toBe(200);
      // MLflow's tracking: its search index is a read model too.
      const mlflow = (path: string) => `/api/2.0/mlflow/${path}`;
      const experimentId = (await alice.post<{ experiment_id: string }>(mlflow('experiments/create'), { name: uniqueName('replay-exp'), tags: [{ key: 'team', value: 'ml' }] })).body.experiment_id;
      for (let r = 0; r < 2; r++) {
        const runId = (await alice.post<{ run: { info: { run_id: string } } }>(mlflow('runs/create'), { experiment_id: experimentId, start_time: 1000 + r })).body.run.info.run_id;
        const logged = await alice.post(mlflow('runs/log-batch'), {
          run_id: runId,
          params: [{ key: 'lr', value: `0.${r + 1}` }],
          metrics: [
            { key: 'acc', value: 0.5, timestamp: 1, step: 0 },
            { key: 'acc', value: 0.8, timestamp: 2, step: 1 },
            { key: 'loss', value: 'NaN', timestamp: 2, step: 1 },
          ],
          tags: [{ key: 'team', value: 'ml' }],
        });
        expect(logged.status).toBe(200);
        if (r === 1) expect((await alice.post(mlflow('runs/delete'), { run_id: runId })).status).toBe(200);
      }
    } finally {
      await registry.app.close();
    }
  }, 60_000);

  afterAll(() => {
    rmSync(dataDir, { recursive: true, force: true });
  });

  it('rebuilds into a fresh database next to the live one and finds them equal', async () => {
    const { equal, summary } = await runReplayCommand(env(), { stamp: 'equal' });
    expect(summary).toMatchObject({ eventStore: 'sqlite', readStore: 'sqlite', equal: true, differenceCount: 0, liveBehind: 0, kept: true });
    expect(equal).toBe(true);
    expect(summary['events']).toEqual(expect.any(Number));
    const counts = summary['counts'] as Record<string, { live: number; rebuilt: number }>;
    expect(counts[COLLECTIONS.models]).toEqual({ live: 2, rebuilt: 2 });
    expect(counts[TRACKING_COLLECTIONS.runs]).toEqual({ live: 2, rebuilt: 2 });
    expect(counts[TRACKING_COLLECTIONS.experiments]?.rebuilt).toBeGreaterThanOrEqual(2);
    expect(existsSync(join(dataDir, 'read-models.replay-equal.sqlite'))).toBe(true);
  });

  it('reports a document that differs from the log, and drops the rebuild when asked', async () => {
    const live = new SqliteReadStore(join(dataDir, 'read-models.sqlite'));
    let id = '';
    try {
      const page = await live.collection<ModelDoc>(COLLECTIONS.models).find({ sort: { field: { name: 'id', path: ['id'], type: 'string' }, direction: 'asc' }, limit: 1 });
      id = page.items[0]?.id ?? '';
      await live.collection<ModelDoc>(COLLECTIONS.models).apply(id, 'tamper', 0, (doc) => ({ ...(doc as ModelDoc), description: 'edited by hand' }));
    } finally {
      await live.close();
    }
    const { equal, summary } = await runReplayCommand(env(), { stamp: 'tampered', drop: true });
    expect(equal).toBe(false);
    expect(summary).toMatchObject({ equal: false, differenceCount: 1, differences: [{ collection: COLLECTIONS.models, id, kind: 'different', fields: ['description'] }], kept: false });
    expect(existsSync(join(dataDir, 'read-models.replay-tampered.sqlite'))).toBe(false);
  });

  it('reports a tracking search document that differs from the log', async () => {
    const live = new SqliteReadStore(join(dataDir, 'read-models.sqlite'));
    let id = '';
    try {
      const runs = live.collection<RunDoc>(TRACKING_COLLECTIONS.runs);
      const page = await runs.find({ sort: { field: { name: 'id', path: ['id'], type: 'string' }, direction: 'asc' }, limit: 1 });
      id = page.items[0]?.id ?? '';
      await runs.apply(id, 'tamper', 0, (doc) => ({ ...(doc as RunDoc), metrics: { acc: 0.99 } }));
    } finally {
      await live.close();
    }
    const { equal, summary } = await runReplayCommand(env(), { stamp: 'tracking', drop: true });
    expect(equal).toBe(false);
    // The model tampered with above stays different; the run is the new difference.
    expect(summary['differences']).toContainEqual({ collection: TRACKING_COLLECTIONS.runs, id, kind: 'different', fields: ['metrics'] });
  });

  it('refuses to run without a log rather than rebuild from an empty one', async () => {
    await expect(runReplayCommand({ MREG_DATA_DIR: join(dataDir, 'nothing-here') })).rejects.toThrow('no event store');
  });
});
