import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { SqliteEventStore } from '@mreg/platform/event-store/sqlite';
import { EventSourcedRepository, MregConfig } from '@mreg/platform/runtime';
import type { CommandContext } from '@mreg/platform/runtime';
import { ModelLookup } from '@mreg/registration/catalog';
import { PolicyLookup } from '@mreg/governance/catalog';
import { modelVersionDecider, trainingRunDecider, registeredModelDecider } from '@mreg/registration/domain';
import { streams, trainingRunKey } from '@mreg/shared/contracts';
import { ModelAliases } from './model-aliases';
import { ModelNames } from './model-names';
import { ModelRegistration } from './model-registration';
import { TrainingRunIntake } from './training-run-intake';
import { VersionNumbering } from './version-numbering';
import { VersionRegistration } from './version-registration';

// Training runs register one version each, also when deliveries race or a crash split the work (SQLite log).
describe('TrainingRunIntake.register', () => {
  let dir = '';
  let store: SqliteEventStore;
  let repository: EventSourcedRepository;
  let intake: TrainingRunIntake;
  const ctx: CommandContext = { principal: { user: 'alice', roles: ['contributor'] }, correlationId: 'evt-1' };
  let counter = 0;
  const modelName = () => `trained-${++counter}`;

  beforeEach(() => {
    dir = mkdtempSync(join(tmpdir(), 'mreg-training-runs-'));
    store = new SqliteEventStore(join(dir, 'events.sqlite'));
    repository = new EventSourcedRepository(store);
    const lookup = new ModelLookup(store);
    const numbering = new VersionNumbering(repository);
    const models = new ModelRegistration(repository, lookup, new ModelNames(repository, lookup), new MregConfig());
    const versions = new VersionRegistration(repository, lookup, numbering, new ModelAliases(repository, lookup, new PolicyLookup(store)));
    intake = new TrainingRunIntake(repository, lookup, models, numbering, versions);
  });

  afterEach(async () => {
    await store.close();
    rmSync(dir, { recursive: true, force: true });
  });

  const directory = {
    loadModel: (modelId: string) => repository.load(streams.model(modelId), registeredModelDecider),
    loadVersion: (modelId: string, version: number) => repository.load(streams.version(modelId, version), modelVersionDecider),
  };

  const liveVersions = async (modelId: string): Promise<{ version: number; runId?: string }[]> => {
    const model = await directory.loadModel(modelId);
    const found: { version: number; runId?: string }[] = [];
    for (let v = 1; v <= model.state.lastVersion; v++) {
      const version = await directory.loadVersion(modelId, v);
      if (version.state.exists) found.push({ version: v, ...(version.state.runId ? { runId: version.state.runId } : {}) });
    }
    return found;
  };

  it('creates the model as the caller, then the version; a second delivery changes nothing', async () => {
    const model = modelName();
    const first = await intake.register({ model, runId: 'run-1', metrics: { auc: 0.9 } }, ctx);
    const again = await intake.register({ model, runId: 'run-1', metrics: { auc: 0.9 } }, { ...ctx, correlationId: 'evt-2' });

    expect(first).toEqual({ modelId: first.modelId, version: 1, createdModel: true, createdVersion: true });
    expect(again).toEqual({ modelId: first.modelId, version: 1, createdModel: false, createdVersion: false });
    expect(await liveVersions(first.modelId)).toEqual([{ version: 1, runId: 'run-1' }]);
    const registered = (await store.readStream(streams.model(first.modelId)))[0];
    expect(registered.metadata).toMatchObject({ actor: 'alice', correlationId: 'evt-1' });
  });

  it('deliveries of one run racing each other register one version; the losers leave gaps, never duplicates', async () => {
    const model = modelName();
    const { modelId } = await intake.register({ model, runId: 'run-0' }, ctx);

    const results = await Promise.all(Array.from({ length: 6 }, () => intake.register({ model, runId: 'run-1', params: { seed: '7' } }, ctx)));

    const versions = new Set(results.map((r) => r.version));
    expect(versions.size).toBe(1);
    expect(results.filter((r) => r.createdVersion)).toHaveLength(1);
    const live = await liveVersions(modelId);
    expect(live.filter((v) => v.runId === 'run-1')).toEqual([{ version: [...versions][0], runId: 'run-1' }]);
    expect(live).toHaveLength(2);
  });

  it('new runs of a new model racing each other create the model once and a version each', async () => {
    const model = modelName();
    const results = await Promise.all(['a', 'b', 'c'].map((run) => intake.register({ model, runId: `run-${run}` }, ctx)));

    expect(new Set(results.map((r) => r.modelId)).size).toBe(1);
    expect(results.filter((r) => r.createdModel)).toHaveLength(1);
    expect((await liveVersions(results[0].modelId)).map((v) => v.runId).sort()).toEqual(['run-a', 'run-b', 'run-c']);
  });

  it('a crash between the claim and the version: the redelivery creates the claimed version', async () => {
    const model = modelName();
    const { modelId } = await intake.register({ model, runId: 'run-0' }, ctx);
    // What a crashed delivery left: the number allocated and claimed, no version stream.
    const allocated = await repository.handle(streams.model(modelId), registeredModelDecider, { type: 'AllocateVersionNumber', data: {} }, ctx);
    const claimed = allocated.state.lastVersion;
    await repository.handle(streams.trainingRun(modelId, trainingRunKey('run-1')), trainingRunDecider, { type: 'LinkTrainingRun', data: { modelId, runId: 'run-1', version: claimed } }, ctx);

    const redelivered = await intake.register({ model, runId: 'run-1', description: 'recovered' }, ctx);

    expect(redelivered).toMatchObject({ modelId, version: claimed, createdVersion: true });
    expect((await directory.loadVersion(modelId, claimed)).state).toMatchObject({ exists: true, runId: 'run-1', description: 'recovered' });
    expect((await directory.loadModel(modelId)).state.lastVersion).toBe(claimed);
  });

  it('a crash after the number was allocated but before the claim: the redelivery takes a new number (a gap)', async () => {
    const model = modelName();
    const { modelId } = await intake.register({ model, runId: 'run-0' }, ctx);
    await repository.handle(streams.model(modelId), registeredModelDecider, { type: 'AllocateVersionNumber', data: {} }, ctx);

    const redelivered = await intake.register({ model, runId: 'run-1' }, ctx);

    expect(redelivered.version).toBe(3);
    expect(await liveVersions(modelId)).toEqual([
      { version: 1, runId: 'run-0' },
      { version: 3, runId: 'run-1' },
    ]);
  });
});
