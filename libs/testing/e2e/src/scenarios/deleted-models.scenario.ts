import { randomUUID } from 'node:crypto';
import { scenario } from '../scenarios';
import { uniqueName } from '../registry-client';
import type { RegistryClient } from '../registry-client';
import { API, createModel, createVersion, expectError, expectStatus, getModel, getVersion, historyOf, listAll, modelPath, promote, query, versionPath } from '../fixtures';
import type { HistoryEntry, ModelBody, Page, VersionBody } from '../fixtures';

interface DeletedModelBody extends ModelBody {
  readonly deletedAt: string;
  readonly deletedBy: string;
}

interface Provenance {
  readonly model: string;
  readonly modelId: string;
  readonly version: number;
  readonly stage: string;
  readonly stageHistory: { from: string; to: string; approvals: { by: string; comment: string }[] }[];
  readonly integrity: { verified: boolean };
}

interface Integrity {
  readonly model: string;
  readonly modelId: string;
  readonly valid: boolean;
  readonly events: number;
}

const byId = (modelId: string) => `${API}/models-by-id/${modelId}`;
const deletedModel = (modelId: string) => `${API}/deleted-models/${modelId}`;

async function historyById(c: RegistryClient, modelId: string): Promise<HistoryEntry[]> {
  return (await listAll<HistoryEntry>(c, `${byId(modelId)}/history`, { pageSize: 1000 }, (e) => e.eventId)).items;
}

scenario('deleted models: audit reads by id, admin restore', (client) => {
  const alice = () => client().as('alice');
  const bob = () => client().as('bob');
  const carol = () => client().as('carol');
  const admin = () => client().as('admin');
  const name = uniqueName('retired');
  const restoredName = uniqueName('revived');
  let oldId = '';
  let newId = '';

  beforeAll(async () => {
    oldId = (await createModel(alice(), name, { description: 'scores payments', tags: { team: 'risk' } })).id;
    await createVersion(alice(), name, { source: 's3://models/retired/1', lineage: { datasets: [{ name: 'tx', uri: 's3://datasets/tx.parquet' }] } });
    await createVersion(alice(), name, { source: 's3://models/retired/2' });
    await createVersion(alice(), name, { source: 's3://models/retired/3' });
    await promote(alice(), bob(), name, 1, 'staging', { comment: 'to staging' });
    expectStatus(await alice().put(`${modelPath(name)}/aliases/champion`, { version: 1 }), 200);
    expectStatus(await alice().put(`${versionPath(name, 2)}/tags/validated`, { value: 'true' }), 200);
    // Version 3 is deleted on its own: restoring the model must not bring it back.
    expectStatus(await alice().delete(versionPath(name, 3)), 204);
    expectStatus(await alice().delete(modelPath(name)), 204);
  });

  it("keeps a deleted model's history, provenance and integrity reachable by its name", async () => {
    expectError(await alice().get(modelPath(name)), 404, 'NOT_FOUND');
    const history = await historyOf(carol(), name);
    expect(history.at(-1)).toMatchObject({ type: 'ModelNameReleased', actor: 'alice' });
    expect(history.find((e) => e.type === 'ModelDeleted')).toMatchObject({ actor: 'alice', data: { modelId: oldId, name } });
    const provenance = await carol().get<Provenance>(`${versionPath(name, 1)}/provenance`);
    expectStatus(provenance, 200);
    expect(provenance.body).toMatchObject({ modelId: oldId, version: 1, stage: 'staging', integrity: { verified: true } });
    expect(provenance.body.stageHistory).toEqual([expect.objectContaining({ from: 'development', to: 'staging', approvals: [expect.objectContaining({ by: 'bob' })] })]);
    const integrity = await carol().get<Integrity>(`${modelPath(name)}/integrity`);
    expectStatus(integrity, 200);
    expect(integrity.body).toMatchObject({ modelId: oldId, valid: true });
  });

  it('lists deleted models with their ids, and who deleted them when', async () => {
    const listed = await carol().get<Page<DeletedModelBody>>(`${API}/deleted-models${query({ filter: `name = '${name}'` })}`);
    expectStatus(listed, 200);
    expect(listed.body.items).toEqual([
      expect.objectContaining({ id: oldId, name, description: 'scores payments', tags: { team: 'risk' }, aliases: { champion: 1 }, latestVersion: 3, versionCount: 2, createdBy: 'alice', deletedBy: 'alice', deletedAt: expect.any(String) }),
    ]);
    const one = await carol().get<DeletedModelBody>(deletedModel(oldId));
    expectStatus(one, 200);
    expect(one.body).toEqual(listed.body.items[0]);
    const deletion = (await historyOf(carol(), name)).find((e) => e.type === 'ModelDeleted');
    expect(one.body.deletedAt).toBe(deletion?.occurredAt);

    // Newest deletion first by default; filters and orders like the other lists.
    const latest = await carol().get<Page<DeletedModelBody>>(`${API}/deleted-models${query({ filter: `deletedBy = 'alice' AND tags.team = 'risk'`, orderBy: 'deletedAt desc', pageSize: 1000 })}`);
    expectStatus(latest, 200);
    expect(latest.body.items.map((m) => m.id)).toContain(oldId);
    expectError(await carol().get(`${API}/deleted-models${query({ filter: "status = 'deleted'" })}`), 400, 'INVALID_ARGUMENT');
    expectError(await carol().get(`${API}/deleted-models${query({ orderBy: 'nope' })}`), 400, 'INVALID_ARGUMENT');
    expectError(await client().anonymous().get(`${API}/deleted-models`), 401, 'UNAUTHENTICATED');
  });

  it('reaches the old model by id once its name went to a new model, and the new one by name', async () => {
    const successor = await createModel(alice(), name, { description: 'the successor' });
    newId = successor.id;
    expect(newId).not.toBe(oldId);
    expect((await getModel(carol(), name)).id).toBe(newId);
    await createVersion(alice(), name, { source: 's3://models/successor/1' });

    // By name: the model holding it now, from its registration on.
    const byName = await historyOf(carol(), name);
    expect(byName.filter((e) => e.type === 'ModelRegistered').map((e) => e.data['modelId'])).toEqual([newId]);
    expect(byName.map((e) => e.type)).not.toContain('ModelDeleted');
    const successorProvenance = await carol().get<Provenance>(`${versionPath(name, 1)}/provenance`);
    expect(successorProvenance.body).toMatchObject({ modelId: newId, stage: 'development' });

    // By id: the deleted model, whole.
    const old = await historyById(carol(), oldId);
    expect(old.map((e) => e.type)).toEqual(expect.arrayContaining(['ModelRegistered', 'ModelVersionCreated', 'TransitionApproved', 'AliasAssigned', 'ModelVersionDeleted', 'ModelDeleted']));
    expect(old.every((e) => e.data['modelId'] === oldId)).toBe(true);
    const version1 = await listAll<HistoryEntry>(carol(), `${byId(oldId)}/versions/1/history`, { pageSize: 1000 }, (e) => e.eventId);
    expect(version1.items.length).toBeGreaterThan(0);
    expect(version1.items.every((e) => e.version === 1)).toBe(true);
    const provenance = await carol().get<Provenance>(`${byId(oldId)}/versions/1/provenance`);
    expectStatus(provenance, 200);
    expect(provenance.body).toMatchObject({ model: name, modelId: oldId, version: 1, stage: 'staging', integrity: { verified: true } });
    // A version deleted on its own keeps its provenance too.
    expect((await carol().get<Provenance>(`${byId(oldId)}/versions/3/provenance`)).body).toMatchObject({ modelId: oldId, version: 3 });
    const integrity = await carol().get<Integrity>(`${byId(oldId)}/integrity`);
    expectStatus(integrity, 200);
    expect(integrity.body).toMatchObject({ modelId: oldId, valid: true });
    // A live model is reachable by id as well.
    expect((await historyById(carol(), newId)).map((e) => e.type)).toEqual(expect.arrayContaining(['ModelRegistered', 'ModelVersionCreated']));

    expectError(await carol().get(`${byId(oldId)}/versions/9/provenance`), 404, 'NOT_FOUND');
    expectError(await carol().get(`${byId(randomUUID())}/history`), 404, 'NOT_FOUND');
    expectError(await carol().get(`${byId(randomUUID())}/integrity`), 404, 'NOT_FOUND');
    expectError(await carol().get(deletedModel(newId)), 404, 'NOT_FOUND');
    expectError(await carol().get(deletedModel(randomUUID())), 404, 'NOT_FOUND');
    for (const bad of ['not-an-id', oldId.toUpperCase(), `${oldId}0`, `{${oldId}}`]) {
      expectError(await carol().get(`${byId(bad)}/history`), 400, 'INVALID_ARGUMENT');
      expectError(await carol().get(deletedModel(bad)), 400, 'INVALID_ARGUMENT');
    }
    expectError(await carol().get(`${byId(oldId)}/versions/0/provenance`), 400, 'INVALID_ARGUMENT');
    expectError(
      await client()
        .anonymous()
        .get(`${byId(oldId)}/history`),
      401,
      'UNAUTHENTICATED',
    );
  });

  it('refuses a restore by a non-admin (403), into a taken name (409), of a live or unknown model, and stores nothing', async () => {
    const before = (await historyById(carol(), oldId)).map((e) => e.eventId);
    const restore = `${deletedModel(oldId)}/restore`;
    for (const user of ['alice', 'bob', 'carol', 'dave']) expectError(await client().as(user).post(restore, { name: restoredName }), 403, 'PERMISSION_DENIED');
    expectError(await client().anonymous().post(restore, {}), 401, 'UNAUTHENTICATED');
    // Its name belongs to the successor now.
    expectError(await admin().post(restore, {}), 409, 'ALREADY_EXISTS');
    expectError(await admin().post(restore), 409, 'ALREADY_EXISTS');
    expectError(await admin().post(restore, { name: name.toUpperCase() }), 409, 'ALREADY_EXISTS');
    for (const body of [{ name: 'bad/name' }, { name: '' }, { name: 'x.' }, { name: 7 }, { name: null }, { name: restoredName, actor: 'root' }, []]) {
      expectError(await admin().post(restore, body), 400, 'INVALID_ARGUMENT');
    }
    expectError(await admin().post(`${deletedModel(newId)}/restore`, { name: restoredName }), 409, 'CONFLICT');
    expectError(await admin().post(`${deletedModel(randomUUID())}/restore`, { name: restoredName }), 404, 'NOT_FOUND');
    expectError(await admin().post(`${deletedModel('fraud')}/restore`, { name: restoredName }), 400, 'INVALID_ARGUMENT');

    expect((await historyById(carol(), oldId)).map((e) => e.eventId)).toEqual(before);
    expectError(await carol().get(modelPath(restoredName)), 404, 'NOT_FOUND');
    expect((await getModel(carol(), name)).id).toBe(newId);
    expectStatus(await carol().get(deletedModel(oldId)), 200);
  });

  it('restores under a new name: versions, aliases and tags as before, listed again, numbering going on', async () => {
    const reply = await admin().post<ModelBody>(`${deletedModel(oldId)}/restore`, { name: restoredName });
    expectStatus(reply, 200);
    expect(reply.body).toMatchObject({ id: oldId, name: restoredName, description: 'scores payments', tags: { team: 'risk' }, aliases: { champion: 1 }, latestVersion: 3, versionCount: 2, updatedBy: 'root' });
    expect(await getModel(carol(), restoredName)).toEqual(reply.body);

    const versions = await carol().get<Page<VersionBody>>(`${modelPath(restoredName)}/versions`);
    expectStatus(versions, 200);
    expect(versions.body.items.map((v) => [v.version, v.model, v.modelId])).toEqual([
      [2, restoredName, oldId],
      [1, restoredName, oldId],
    ]);
    expect(await getVersion(carol(), restoredName, 1)).toMatchObject({ stage: 'staging', aliases: ['champion'], source: 's3://models/retired/1' });
    expect(await getVersion(carol(), restoredName, 2)).toMatchObject({ stage: 'development', tags: { validated: 'true' } });
    expectError(await carol().get(versionPath(restoredName, 3)), 404, 'NOT_FOUND');
    const champion = await carol().get<{ alias: string; version: VersionBody }>(`${modelPath(restoredName)}/aliases/champion`);
    expectStatus(champion, 200);
    expect(champion.body.version).toMatchObject({ modelId: oldId, version: 1 });

    const listed = await carol().get<Page<ModelBody>>(`${API}/models${query({ filter: `name = '${restoredName}'` })}`);
    expect(listed.body.items.map((m) => m.id)).toEqual([oldId]);
    const searched = await carol().get<Page<VersionBody>>(`${API}/versions${query({ filter: `model = '${restoredName}'` })}`);
    expect(searched.body.items.map((v) => v.version).sort()).toEqual([1, 2]);
    const stillDeleted = await carol().get<Page<DeletedModelBody>>(`${API}/deleted-models${query({ filter: `name = '${name}' OR name = '${restoredName}'` })}`);
    expect(stillDeleted.body.items).toEqual([]);
    expectError(await carol().get(deletedModel(oldId)), 404, 'NOT_FOUND');

    // A live model again: written to like any other, its version numbers go on, and it cannot be restored twice.
    expect((await createVersion(alice(), restoredName, {})).version).toBe(4);
    expectError(await admin().post(`${deletedModel(oldId)}/restore`, {}), 409, 'CONFLICT');
    expect((await getModel(carol(), name)).id).toBe(newId);
  });

  it('shows the deletion and the restoration in the history, each with its actor', async () => {
    const history = await historyById(carol(), oldId);
    const deleted = history.findIndex((e) => e.type === 'ModelDeleted');
    const restored = history.findIndex((e) => e.type === 'ModelRestored');
    expect(deleted).toBeGreaterThan(-1);
    expect(restored).toBeGreaterThan(deleted);
    expect(history[deleted]).toMatchObject({ actor: 'alice', data: { modelId: oldId, name } });
    expect(history[restored]).toMatchObject({ actor: 'root', version: null, data: { modelId: oldId, name: restoredName } });
    expect(history.find((e) => e.type === 'ModelNameReserved' && e.data['name'] === restoredName)).toMatchObject({ actor: 'root' });
    // The same trail by its new name, and its chains intact.
    expect((await historyOf(carol(), restoredName)).map((e) => e.eventId)).toEqual(history.map((e) => e.eventId));
    const integrity = await carol().get<Integrity>(`${modelPath(restoredName)}/integrity`);
    expect(integrity.body).toMatchObject({ modelId: oldId, model: restoredName, valid: true });
  });

  it('restores under its own name when that is still free', async () => {
    const own = uniqueName('undone');
    const { id } = await createModel(alice(), own, { tags: { keep: 'me' } });
    await createVersion(alice(), own, {});
    expectStatus(await alice().delete(modelPath(own)), 204);
    const reply = await admin().post<ModelBody>(`${deletedModel(id)}/restore`);
    expectStatus(reply, 200);
    expect(reply.body).toMatchObject({ id, name: own, tags: { keep: 'me' }, versionCount: 1 });
    expect((await getVersion(carol(), own, 1)).modelId).toBe(id);
    // Deleted again and restored again: each step recorded.
    expectStatus(await alice().delete(modelPath(own)), 204);
    expectStatus(await admin().post(`${deletedModel(id)}/restore`, {}), 200);
    expect((await historyOf(carol(), own)).map((e) => e.type).filter((t) => t === 'ModelDeleted' || t === 'ModelRestored')).toEqual(['ModelDeleted', 'ModelRestored', 'ModelDeleted', 'ModelRestored']);
  });
});
