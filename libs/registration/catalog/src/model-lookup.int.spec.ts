import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { SqliteEventStore } from '@mreg/platform/event-store/sqlite';
import { EventSourcedRepository } from '@mreg/platform/runtime';
import type { CommandContext } from '@mreg/platform/runtime';
import { modelNameDecider, modelVersionDecider, registeredModelDecider } from '@mreg/registration/domain';
import { OPEN_MODEL_ACCESS, modelNameKey, streams } from '@mreg/shared/contracts';
import { ModelLookup } from './model-lookup';

// Registration's public read against the streams its use cases write (SQLite log).
describe('ModelLookup', () => {
  let dir = '';
  let store: SqliteEventStore;
  let repository: EventSourcedRepository;
  let lookup: ModelLookup;
  const ctx: CommandContext = { principal: { user: 'alice', roles: ['contributor'] }, correlationId: 'c-1' };

  beforeEach(() => {
    dir = mkdtempSync(join(tmpdir(), 'mreg-model-lookup-'));
    store = new SqliteEventStore(join(dir, 'events.sqlite'));
    repository = new EventSourcedRepository(store);
    lookup = new ModelLookup(store);
  });

  afterEach(async () => {
    await store.close();
    rmSync(dir, { recursive: true, force: true });
  });

  const register = async (modelId: string, name: string): Promise<void> => {
    await repository.handle(streams.modelName(modelNameKey(name)), modelNameDecider, { type: 'ReserveModelName', data: { name, modelId } }, ctx);
    await repository.handle(streams.model(modelId), registeredModelDecider, { type: 'RegisterModel', data: { modelId, name, description: '', tags: {}, access: OPEN_MODEL_ACCESS } }, ctx);
  };

  const addVersion = async (modelId: string, modelName: string): Promise<number> => {
    const allocated = await repository.handle(streams.model(modelId), registeredModelDecider, { type: 'AllocateVersionNumber', data: {} }, ctx);
    const version = allocated.state.lastVersion;
    await repository.handle(streams.version(modelId, version), modelVersionDecider, { type: 'CreateModelVersion', data: { modelId, modelName, version, description: '', params: {}, metrics: {}, tags: {}, lineage: { datasets: [] } } }, ctx);
    return version;
  };

  it('finds a live model by its name in any case, and not once it is deleted', async () => {
    await register('m1', 'Fraud');
    expect(await lookup.resolve('fraud')).toEqual({ modelId: 'm1', name: 'Fraud' });
    expect(await lookup.model('m1')).toEqual({ exists: true, deleted: false, name: 'Fraud', lastVersion: 0, access: OPEN_MODEL_ACCESS });

    await repository.handle(streams.model('m1'), registeredModelDecider, { type: 'DeleteModel', data: { productionVersions: [] } }, ctx);

    expect(await lookup.resolve('Fraud')).toBeUndefined();
    expect(await lookup.holderOf('Fraud')).toBe('m1');
    await expect(lookup.authorize('Fraud', ctx.principal, 'read')).rejects.toMatchObject({ code: 'NOT_FOUND' });
  });

  it('answers who held a name at an instant (point-in-time reads)', async () => {
    await register('m1', 'churn');
    await sleep(5);
    const before = new Date();
    await sleep(5);
    await repository.handle(streams.modelName(modelNameKey('churn')), modelNameDecider, { type: 'ReleaseModelName', data: { name: 'churn', modelId: 'm1' } }, ctx);

    expect(await lookup.holderOf('churn', before)).toBe('m1');
    expect(await lookup.holderOf('churn')).toBeUndefined();
    expect(await lookup.holderOf('never-registered')).toBeUndefined();
  });

  it("folds a version's existence, stage and revision, as it is now or was at an instant", async () => {
    await register('m1', 'ranker');
    const version = await addVersion('m1', 'ranker');
    await sleep(5);
    const created = new Date();
    await sleep(5);
    await repository.handle(streams.version('m1', version), modelVersionDecider, { type: 'ApplyStageChange', data: { transitionId: 't1', from: 'development', to: 'staging', reason: 'requested' } }, ctx);

    expect(await lookup.version('m1', version)).toEqual({ modelId: 'm1', version, exists: true, deleted: false, stage: 'staging', revision: 1 });
    expect(await lookup.version('m1', version, created)).toEqual({ modelId: 'm1', version, exists: true, deleted: false, stage: 'development', revision: 0 });
    expect(await lookup.version('m1', 9)).toEqual({ modelId: 'm1', version: 9, exists: false, deleted: false, stage: 'development', revision: -1 });
    expect((await lookup.model('m1')).lastVersion).toBe(version);
  });

  it('requires a live version: a missing and a deleted one are both NOT_FOUND', async () => {
    await register('m1', 'scorer');
    const version = await addVersion('m1', 'scorer');
    await expect(lookup.requireVersion('m1', version, 'scorer')).resolves.toMatchObject({ exists: true });
    await expect(lookup.requireVersion('m1', version + 1, 'scorer')).rejects.toMatchObject({ code: 'NOT_FOUND', message: 'model "scorer" has no version 2' });

    await repository.handle(streams.version('m1', version), modelVersionDecider, { type: 'DeleteModelVersion', data: {} }, ctx);

    await expect(lookup.requireVersion('m1', version, 'scorer')).rejects.toMatchObject({ code: 'NOT_FOUND' });
  });
});
