import { scenario } from '../scenarios';
import { uniqueName } from '../registry-client';
import { createModel, createVersion, expectError, expectStatus, getModel, getVersion, historyOf, modelPath } from '../fixtures';
import type { ModelBody, VersionBody } from '../fixtures';

interface AliasReply {
  readonly alias: string;
  readonly version: VersionBody;
  readonly model?: ModelBody;
}

scenario('aliases: assign, read, move, remove, refuse bad names and missing versions', (client) => {
  const alice = () => client().as('alice');
  const aliasPath = (name: string, alias: string) => `${modelPath(name)}/aliases/${alias}`;

  const withVersions = async (count: number) => {
    const name = uniqueName('alias');
    await createModel(alice(), name);
    for (let i = 0; i < count; i++) await createVersion(alice(), name, { description: `v${i + 1}` });
    return name;
  };

  it('assigns, reads, moves and removes an alias', async () => {
    const name = await withVersions(2);
    const put = await alice().put<AliasReply>(aliasPath(name, 'champion'), { version: 1 });
    expectStatus(put, 200);
    expect(put.body).toMatchObject({ alias: 'champion', version: { version: 1, aliases: ['champion'] }, model: { name, aliases: { champion: 1 } } });

    const got = await client().as('carol').get<AliasReply>(aliasPath(name, 'champion'));
    expectStatus(got, 200);
    expect(got.body).toMatchObject({ alias: 'champion', version: { model: name, version: 1, description: 'v1', aliases: ['champion'] } });

    // Moving: the alias leaves version 1 and lands on version 2.
    const moved = await alice().put<AliasReply>(aliasPath(name, 'champion'), { version: 2 });
    expectStatus(moved, 200);
    expect(moved.body.version).toMatchObject({ version: 2, aliases: ['champion'] });
    expect((await alice().get<AliasReply>(aliasPath(name, 'champion'))).body.version.version).toBe(2);
    expect((await getVersion(alice(), name, 1)).aliases).toEqual([]);
    expect((await getModel(alice(), name)).aliases).toEqual({ champion: 2 });

    // Assigning the alias it already has changes nothing.
    const again = await alice().put<AliasReply>(aliasPath(name, 'champion'), { version: 2 });
    expectStatus(again, 200);
    const assigned = (await historyOf(alice(), name)).filter((e) => e.type === 'AliasAssigned');
    expect(assigned.map((e) => e.data)).toEqual([expect.objectContaining({ alias: 'champion', version: 1 }), expect.objectContaining({ alias: 'champion', version: 2, previousVersion: 1 })]);

    // Two aliases on one version.
    expectStatus(await alice().put(aliasPath(name, 'challenger-2'), { version: 2 }), 200);
    expect((await getVersion(alice(), name, 2)).aliases).toEqual(['challenger-2', 'champion']);

    const removed = await alice().delete(aliasPath(name, 'champion'));
    expectStatus(removed, 204);
    expectError(await alice().get(aliasPath(name, 'champion')), 404, 'NOT_FOUND');
    expectError(await alice().delete(aliasPath(name, 'champion')), 404, 'NOT_FOUND');
    expect((await getModel(alice(), name)).aliases).toEqual({ 'challenger-2': 2 });
    expect((await getVersion(alice(), name, 2)).aliases).toEqual(['challenger-2']);
  });

  it('refuses an alias to a version that does not exist or was deleted (404), leaving the alias as it was', async () => {
    const name = await withVersions(2);
    expectStatus(await alice().put(aliasPath(name, 'prod'), { version: 1 }), 200);
    expectError(await alice().put(aliasPath(name, 'prod'), { version: 3 }), 404, 'NOT_FOUND');
    expectError(await alice().put(aliasPath(name, 'prod'), { version: 999_999_999 }), 404, 'NOT_FOUND');
    expectStatus(await alice().delete(`${modelPath(name)}/versions/2`), 204);
    expectError(await alice().put(aliasPath(name, 'prod'), { version: 2 }), 404, 'NOT_FOUND');
    expectError(await alice().put(aliasPath(name, 'other'), { version: 2 }), 404, 'NOT_FOUND');
    expect((await getModel(alice(), name)).aliases).toEqual({ prod: 1 });
    expectError(await alice().get(aliasPath(name, 'other')), 404, 'NOT_FOUND');
    expectError(await alice().put(aliasPath(uniqueName('missing'), 'prod'), { version: 1 }), 404, 'NOT_FOUND');
  });

  it('drops the aliases of a deleted version', async () => {
    const name = await withVersions(2);
    expectStatus(await alice().put(aliasPath(name, 'challenger'), { version: 2 }), 200);
    expectStatus(await alice().put(aliasPath(name, 'champion'), { version: 1 }), 200);
    expectStatus(await alice().delete(`${modelPath(name)}/versions/2`), 204);
    expectError(await alice().get(aliasPath(name, 'challenger')), 404, 'NOT_FOUND');
    expect((await getModel(alice(), name)).aliases).toEqual({ champion: 1 });
  });

  it('treats an alias named like an object member ("constructor") as an ordinary alias', async () => {
    const name = await withVersions(1);
    const missing = await alice().get(aliasPath(name, 'constructor'));
    expectError(missing, 404, 'NOT_FOUND');
    expect((missing.body as { error: { message: string } }).error.message).toContain('constructor');
    expectError(await alice().delete(aliasPath(name, 'constructor')), 404, 'NOT_FOUND');
    expectStatus(await alice().put(aliasPath(name, 'constructor'), { version: 1 }), 200);
    const got = await alice().get<AliasReply>(aliasPath(name, 'constructor'));
    expectStatus(got, 200);
    expect(got.body.version.version).toBe(1);
    expect((await getModel(alice(), name)).aliases).toEqual({ constructor: 1 });
  });

  it.each([
    ['digits only', '123'],
    ['upper case and a space', 'Has%20Caps'],
    ['upper case', 'Champion'],
    ['reserved', 'latest'],
    ['too long', 'a'.repeat(65)],
    ['leading dash', '-x'],
    ['a dot', 'a.b'],
    ['unicode', encodeURIComponent('championé')],
    ['encoded slash', 'a%2Fb'],
    ['control character', 'a%00b'],
  ])('refuses an invalid alias name (%s) with 400 and creates nothing', async (_label, alias) => {
    const name = await withVersions(1);
    expectError(await alice().put(aliasPath(name, alias), { version: 1 }), 400, 'INVALID_ARGUMENT');
    expectError(await alice().get(aliasPath(name, alias)), 400, 'INVALID_ARGUMENT');
    expectError(await alice().delete(aliasPath(name, alias)), 400, 'INVALID_ARGUMENT');
    expect((await getModel(alice(), name)).aliases).toEqual({});
    expect((await getVersion(alice(), name, 1)).aliases).toEqual([]);
  });

  it.each([[0], [-1], [1.5], ['1'], [null], [undefined]])('refuses version %p in the body with 400', async (version) => {
    const name = await withVersions(1);
    expectError(await alice().put(aliasPath(name, 'champion'), version === undefined ? {} : { version }), 400, 'INVALID_ARGUMENT');
    expect((await getModel(alice(), name)).aliases).toEqual({});
  });
});
