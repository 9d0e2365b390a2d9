import { scenario } from '../scenarios';
import { uniqueName } from '../registry-client';
import { API, afterServerTime, createModel, createVersion, expectError, expectStatus, getModel, grant, historyOf, justBefore, listAll, modelPath, query, versionPath } from '../fixtures';
import type { ModelBody, Page, VersionBody } from '../fixtures';

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/;
const ISO = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}\.\d{3}Z$/;

scenario('models: register, look up, list, describe, rename, tag, delete, read as of', (client) => {
  const alice = () => client().as('alice');

  it('registers a model (201) and reads it back', async () => {
    const name = uniqueName('model');
    const created = await alice().post<ModelBody>(`${API}/models`, { name, description: 'fraud detector', tags: { team: 'risk', 'mlflow.source': 'x' } });
    expectStatus(created, 201);
    expect(created.headers.get('content-type')).toMatch(/^application\/json/);
    expect(created.body).toEqual({
      id: expect.stringMatching(UUID),
      name,
      description: 'fraud detector',
      tags: { team: 'risk', 'mlflow.source': 'x' },
      aliases: {},
      latestVersion: null,
      versionCount: 0,
      createdAt: expect.stringMatching(ISO),
      createdBy: 'alice',
      updatedAt: created.body.createdAt,
      updatedBy: 'alice',
    });
    const read = await alice().get<ModelBody>(modelPath(name));
    expectStatus(read, 200);
    expect(read.body).toEqual(created.body);
    // A reader sees it too.
    expect((await client().as('carol').get<ModelBody>(modelPath(name))).body).toEqual(created.body);
  });

  it('registers with only a name: empty description and tags', async () => {
    const name = uniqueName('bare');
    const model = await createModel(alice(), name);
    expect(model).toMatchObject({ name, description: '', tags: {}, aliases: {}, latestVersion: null, versionCount: 0 });
  });

  it('answers 404 NOT_FOUND for a model that does not exist', async () => {
    expectError(await alice().get(modelPath(uniqueName('missing'))), 404, 'NOT_FOUND');
  });

  it('refuses a duplicate name, also in another letter case (409 ALREADY_EXISTS), and keeps the first', async () => {
    const name = uniqueName('dup');
    const first = await createModel(alice(), name, { description: 'first' });
    expectError(await alice().post(`${API}/models`, { name, description: 'second' }), 409, 'ALREADY_EXISTS');
    expectError(await alice().post(`${API}/models`, { name: name.toUpperCase(), description: 'third' }), 409, 'ALREADY_EXISTS');
    expectError(
      await client()
        .as('dave')
        .post(`${API}/models`, { name: `${name[0]?.toUpperCase() ?? ''}${name.slice(1)}` }),
      409,
      'ALREADY_EXISTS',
    );
    expect(await getModel(alice(), name)).toEqual(first);
    const listed = await alice().get<Page<ModelBody>>(`${API}/models${query({ filter: `name ILIKE '${name}'` })}`);
    expectStatus(listed, 200);
    expect(listed.body.items).toEqual([first]);
  });

  describe('listing', () => {
    const prefix = uniqueName('list');
    // team alternates red/blue; tier is gold for the first three.
    const names = Array.from({ length: 7 }, (_, i) => `${prefix}-${String.fromCharCode(97 + ((i * 3) % 7))}`);
    const teamOf = (i: number) => (i % 2 === 0 ? 'red' : 'blue');
    const tierOf = (i: number) => (i < 3 ? 'gold' : 'silver');
    const sorted = [...names].sort();
    const byPrefix = `name LIKE '${prefix}-%'`;

    beforeAll(async () => {
      // In parallel, so that several may share a creation instant (the keyset must still visit each once).
      await Promise.all(names.map((name, i) => createModel(alice(), name, { tags: { team: teamOf(i), tier: tierOf(i) } })));
    });

    const listNames = async (params: Record<string, string | number>) => {
      const reply = await alice().get<Page<ModelBody>>(`${API}/models${query(params)}`);
      expectStatus(reply, 200);
      return reply.body.items.map((m) => m.name);
    };
    const expected = (pick: (i: number) => boolean) => names.filter((_, i) => pick(i)).sort();

    it('pages through every item exactly once, in name order by default', async () => {
      const { items, pages } = await listAll<ModelBody>(alice(), `${API}/models`, { filter: byPrefix, pageSize: 3 }, (m) => m.id);
      expect(pages).toEqual([3, 3, 1]);
      expect(items.map((m) => m.name)).toEqual(sorted);
    });

    it('pages exactly once also when ordered by a field with ties (createdAt), in both directions', async () => {
      for (const orderBy of ['createdAt asc', 'createdAt desc', 'updatedAt']) {
        const { items } = await listAll<ModelBody>(alice(), `${API}/models`, { filter: byPrefix, pageSize: 2, orderBy }, (m) => m.id);
        expect(items.map((m) => m.name).sort()).toEqual(sorted);
        const times = items.map((m) => Date.parse(m.createdAt));
        const ordered = [...times].sort((a, b) => (orderBy.endsWith('desc') ? b - a : a - b));
        if (orderBy.startsWith('createdAt')) expect(times).toEqual(ordered);
      }
    });

    it('orders by name descending', async () => {
      const { items } = await listAll<ModelBody>(alice(), `${API}/models`, { filter: byPrefix, pageSize: 4, orderBy: 'name desc' }, (m) => m.id);
      expect(items.map((m) => m.name)).toEqual([...sorted].reverse());
    });

    it('filters by tag, AND/OR with parentheses, IN, LIKE and ILIKE', async () => {
      expect(await listNames({ filter: `${byPrefix} AND tags.team = 'red'` })).toEqual(expected((i) => teamOf(i) === 'red'));
      expect(await listNames({ filter: `${byPrefix} AND (tags.team = 'blue' OR tags.tier = 'gold')` })).toEqual(expected((i) => teamOf(i) === 'blue' || tierOf(i) === 'gold'));
      // Without the parentheses AND binds tighter: other models' gold tiers would match, so scope both sides.
      expect(await listNames({ filter: `${byPrefix} AND tags.team = 'blue' OR ${byPrefix} AND tags.tier = 'gold'` })).toEqual(expected((i) => teamOf(i) === 'blue' || tierOf(i) === 'gold'));
      expect(await listNames({ filter: `${byPrefix} AND tags.tier IN ('gold', 'bronze')` })).toEqual(expected((i) => tierOf(i) === 'gold'));
      expect(await listNames({ filter: `name IN ('${names[0]}', '${names[4]}', 'no-such-model')` })).toEqual([names[0], names[4]].sort());
      expect(await listNames({ filter: `name ILIKE '${prefix.toUpperCase()}-%'` })).toEqual(sorted);
      expect(await listNames({ filter: `name LIKE '${prefix.toUpperCase()}-%'` })).toEqual([]);
      expect(await listNames({ filter: `${byPrefix} AND name NOT LIKE '%-a'` })).toEqual(sorted.filter((n) => !n.endsWith('-a')));
      expect(await listNames({ filter: `${byPrefix} AND tags.team != 'red' AND tags.tier = 'silver'` })).toEqual(expected((i) => teamOf(i) !== 'red' && tierOf(i) === 'silver'));
      expect(await listNames({ filter: `name = '${names[2]}'` })).toEqual([names[2]]);
      expect(await listNames({ filter: `${byPrefix} AND tags.nosuchtag = 'x'` })).toEqual([]);
    });

    it('pages a filtered list (the token continues the same filter)', async () => {
      const filter = `${byPrefix} AND tags.team = 'red'`;
      const { items, pages } = await listAll<ModelBody>(alice(), `${API}/models`, { filter, pageSize: 1 }, (m) => m.id);
      expect(items.map((m) => m.name)).toEqual(expected((i) => teamOf(i) === 'red'));
      expect(pages.filter((n) => n > 0)).toEqual([1, 1, 1, 1]);
    });
  });

  it('changes the description with PATCH; an empty PATCH changes nothing; If-Match guards the revision', async () => {
    const name = uniqueName('patch');
    await createModel(alice(), name, { description: 'one' });
    await grant(alice(), name, 'user:dave', 'write');
    const patched = await client().as('dave').patch<ModelBody>(modelPath(name), { description: 'two\nlines' });
    expectStatus(patched, 200);
    expect(patched.body).toMatchObject({ name, description: 'two\nlines', updatedBy: 'dave', createdBy: 'alice' });
    expect((await getModel(alice(), name)).description).toBe('two\nlines');
    const empty = await alice().patch<ModelBody>(modelPath(name), {});
    expectStatus(empty, 200);
    expect(empty.body).toEqual(patched.body);
    // Revisions: 0 registered, 1 alice's grant, 2 dave's, 3 described. A stale If-Match is refused and changes nothing.
    const stale = await alice().request('PATCH', modelPath(name), { json: { description: 'three' }, headers: { 'if-match': '"0"' } });
    expectError(stale, 409, 'STALE_REVISION');
    expect((await getModel(alice(), name)).description).toBe('two\nlines');
    const fresh = await alice().request<ModelBody>('PATCH', modelPath(name), { json: { description: 'three' }, headers: { 'if-match': '"3"' } });
    expectStatus(fresh, 200);
    expect(fresh.body.description).toBe('three');
    expectError(await alice().request('PATCH', modelPath(name), { json: { description: 'x' }, headers: { 'if-match': 'yesterday' } }), 400, 'INVALID_ARGUMENT');
    expectError(await alice().patch(modelPath(uniqueName('missing')), { description: 'x' }), 404, 'NOT_FOUND');
  });

  it('renames: the old name is gone, the new one resolves, versions and history follow', async () => {
    const oldName = uniqueName('before');
    const newName = uniqueName('after');
    const created = await createModel(alice(), oldName, { description: 'd' });
    await createVersion(alice(), oldName, {});
    const renamed = await alice().post<ModelBody>(`${modelPath(oldName)}/rename`, { newName });
    expectStatus(renamed, 200);
    expect(renamed.body).toMatchObject({ id: created.id, name: newName, description: 'd', latestVersion: 1, versionCount: 1 });

    expectError(await alice().get(modelPath(oldName)), 404, 'NOT_FOUND');
    expectError(await alice().get(versionPath(oldName, 1)), 404, 'NOT_FOUND');
    expectError(await alice().patch(modelPath(oldName), { description: 'x' }), 404, 'NOT_FOUND');
    expect((await getModel(alice(), newName)).id).toBe(created.id);
    const version = await alice().get<VersionBody>(versionPath(newName, 1));
    expectStatus(version, 200);
    expect(version.body.model).toBe(newName);
    const listed = await alice().get<Page<ModelBody>>(`${API}/models${query({ filter: `name IN ('${oldName}', '${newName}')` })}`);
    expect(listed.body.items.map((m) => m.name)).toEqual([newName]);

    const history = await historyOf(alice(), newName);
    const types = history.map((e) => e.type);
    expect(types).toEqual(expect.arrayContaining(['ModelRegistered', 'ModelVersionCreated', 'ModelRenamed']));
    expect(types.indexOf('ModelRegistered')).toBeLessThan(types.indexOf('ModelRenamed'));
    expect(history.find((e) => e.type === 'ModelRenamed')?.data).toMatchObject({ from: oldName, to: newName });
    expect(history.find((e) => e.type === 'ModelRegistered')?.data).toMatchObject({ name: oldName });

    // The old name is free again; a taken name cannot be renamed onto.
    const reused = await createModel(alice(), oldName);
    expect(reused.id).not.toBe(created.id);
    expectError(await alice().post(`${modelPath(newName)}/rename`, { newName: oldName.toUpperCase() }), 409, 'ALREADY_EXISTS');
    expect((await getModel(alice(), newName)).id).toBe(created.id);
    expect((await getModel(alice(), oldName)).id).toBe(reused.id);
    expectError(await alice().post(`${modelPath(uniqueName('missing'))}/rename`, { newName: uniqueName('x') }), 404, 'NOT_FOUND');
  });

  it('renames to the same name in another letter case', async () => {
    const name = uniqueName('case');
    const created = await createModel(alice(), name);
    const renamed = await alice().post<ModelBody>(`${modelPath(name)}/rename`, { newName: name.toUpperCase() });
    expectStatus(renamed, 200);
    expect(renamed.body).toMatchObject({ id: created.id, name: name.toUpperCase() });
    expect((await getModel(alice(), name.toUpperCase())).id).toBe(created.id);
  });

  it('sets, overwrites and removes model tags', async () => {
    const name = uniqueName('tags');
    await createModel(alice(), name, { tags: { keep: 'yes' } });
    const set = await alice().put<ModelBody>(`${modelPath(name)}/tags/team`, { value: 'risk' });
    expectStatus(set, 200);
    expect(set.body.tags).toEqual({ keep: 'yes', team: 'risk' });
    const over = await alice().put<ModelBody>(`${modelPath(name)}/tags/team`, { value: 'fraud' });
    expect(over.body.tags).toEqual({ keep: 'yes', team: 'fraud' });
    const dotted = await alice().put<ModelBody>(`${modelPath(name)}/tags/${encodeURIComponent('mlflow.user name')}`, { value: '' });
    expectStatus(dotted, 200);
    expect(dotted.body.tags['mlflow.user name']).toBe('');
    const removed = await alice().delete(`${modelPath(name)}/tags/team`);
    expectStatus(removed, 204);
    expect(removed.text).toBe('');
    expect((await getModel(alice(), name)).tags).toEqual({ keep: 'yes', 'mlflow.user name': '' });
    expectError(await alice().delete(`${modelPath(name)}/tags/team`), 404, 'NOT_FOUND');
    expectError(await alice().put(`${modelPath(uniqueName('missing'))}/tags/team`, { value: 'x' }), 404, 'NOT_FOUND');
    const filtered = await alice().get<Page<ModelBody>>(`${API}/models${query({ filter: `name = '${name}' AND tags.keep = 'yes'` })}`);
    expect(filtered.body.items.map((m) => m.name)).toEqual([name]);
  });

  it('deletes a model: 404 afterwards, gone from lists, the name reusable by a new model', async () => {
    const name = uniqueName('delete');
    const first = await createModel(alice(), name, { description: 'old' });
    await createVersion(alice(), name, {});
    await createVersion(alice(), name, {});
    const deleted = await alice().delete(modelPath(name));
    expectStatus(deleted, 204);
    expectError(await alice().get(modelPath(name)), 404, 'NOT_FOUND');
    expectError(await alice().get(versionPath(name, 1)), 404, 'NOT_FOUND');
    expectError(await alice().get(`${modelPath(name)}/versions`), 404, 'NOT_FOUND');
    expectError(await alice().delete(modelPath(name)), 404, 'NOT_FOUND');
    const listed = await alice().get<Page<ModelBody>>(`${API}/models${query({ filter: `name = '${name}'` })}`);
    expect(listed.body.items).toEqual([]);
    // Its versions leave the cross-model search with it.
    const versions = await alice().get<Page<VersionBody>>(`${API}/versions${query({ filter: `model = '${name}'` })}`);
    expectStatus(versions, 200);
    expect(versions.body.items).toEqual([]);

    const second = await createModel(alice(), name);
    expect(second.id).not.toBe(first.id);
    expect(second).toMatchObject({ description: '', latestVersion: null, versionCount: 0 });
    const v = await createVersion(alice(), name, {});
    expect(v.version).toBe(1);
    const search = await alice().get<Page<VersionBody>>(`${API}/versions${query({ filter: `model = '${name}'` })}`);
    expect(search.body.items.map((x) => [x.modelId, x.version])).toEqual([[second.id, 1]]);
    const history = await historyOf(alice(), name);
    expect(history.every((e) => e.stream.includes(second.id) || e.data['modelId'] === second.id)).toBe(true);
  });

  it('reads a model as of an earlier instant, replayed from the log', async () => {
    const oldName = uniqueName('asof');
    const newName = uniqueName('asof-renamed');
    const created = await createModel(alice(), oldName, { description: 'first', tags: { stage: 'a' } });
    await afterServerTime(alice(), created.updatedAt);
    const described = await alice().patch<ModelBody>(modelPath(oldName), { description: 'second' });
    expectStatus(described, 200);
    await afterServerTime(alice(), described.body.updatedAt);
    const renamed = await alice().post<ModelBody>(`${modelPath(oldName)}/rename`, { newName });
    expectStatus(renamed, 200);

    const atCreation = await alice().get<ModelBody & { asOf: string }>(`${modelPath(oldName)}${query({ asOf: created.createdAt })}`);
    expectStatus(atCreation, 200);
    expect(atCreation.body).toMatchObject({ id: created.id, name: oldName, description: 'first', tags: { stage: 'a' }, asOf: created.createdAt });

    const beforeRename = await alice().get<ModelBody>(`${modelPath(oldName)}${query({ asOf: described.body.updatedAt })}`);
    expectStatus(beforeRename, 200);
    expect(beforeRename.body).toMatchObject({ id: created.id, name: oldName, description: 'second' });
    // The same instant written with an offset means the same thing.
    const offset = described.body.updatedAt.replace('Z', '+00:00');
    expect((await alice().get<ModelBody>(`${modelPath(oldName)}${query({ asOf: offset })}`)).body).toMatchObject({ description: 'second' });

    // Nobody was called newName before the rename; now the new name has the whole model.
    expectError(await alice().get(`${modelPath(newName)}${query({ asOf: described.body.updatedAt })}`), 404, 'NOT_FOUND');
    const afterRename = await alice().get<ModelBody>(`${modelPath(newName)}${query({ asOf: renamed.body.updatedAt })}`);
    expectStatus(afterRename, 200);
    expect(afterRename.body).toMatchObject({ id: created.id, name: newName, description: 'second' });

    // Before it existed: 404.
    expectError(await alice().get(`${modelPath(oldName)}${query({ asOf: justBefore(created.createdAt) })}`), 404, 'NOT_FOUND');
    expectError(await alice().get(`${modelPath(oldName)}${query({ asOf: '2000-01-01' })}`), 404, 'NOT_FOUND');
  });

  it('reads a deleted model as of when it was alive', async () => {
    const name = uniqueName('asof-deleted');
    const created = await createModel(alice(), name, { description: 'alive' });
    await afterServerTime(alice(), created.updatedAt);
    expectStatus(await alice().delete(modelPath(name)), 204);
    expectError(await alice().get(modelPath(name)), 404, 'NOT_FOUND');
    const then = await alice().get<ModelBody>(`${modelPath(name)}${query({ asOf: created.createdAt })}`);
    expectStatus(then, 200);
    expect(then.body).toMatchObject({ id: created.id, name, description: 'alive' });
  });
});
