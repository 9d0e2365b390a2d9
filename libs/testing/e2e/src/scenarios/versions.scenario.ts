import { scenario } from '../scenarios';
import { uniqueName } from '../registry-client';
import { API, afterServerTime, createModel, createVersion, expectError, expectStatus, getModel, getVersion, grant, justBefore, listAll, modelPath, promote, query, versionPath } from '../fixtures';
import type { Page, VersionBody } from '../fixtures';

scenario('versions: numbering, deletion, descriptions, tags, listing, search, point-in-time, concurrency', (client) => {
  const alice = () => client().as('alice');
  const bob = () => client().as('bob');

  it('numbers versions 1, 2, 3 per model, and records what was given', async () => {
    const a = uniqueName('numbering-a');
    const b = uniqueName('numbering-b');
    await createModel(alice(), a);
    await createModel(alice(), b);
    await grant(alice(), a, 'user:dave', 'write');
    await grant(alice(), b, 'user:dave', 'write');
    const lineage = {
      datasets: [{ name: 'tx', uri: 's3://data/tx.parquet', digest: `sha256:${'a'.repeat(64)}` }],
      codeRepository: 'https://git.example.com/risk.git',
      codeCommit: 'ABCDEF1',
      pipeline: 'airflow://train/weekly',
    };
    const v1 = await createVersion(alice(), a, {
      description: 'first',
      source: 's3://runs/1/model',
      runId: 'run-1',
      params: { lr: '0.01' },
      metrics: { auc: 0.91, loss: -1.5e-3 },
      tags: { owner: 'alice' },
      lineage,
      signature: { inputs: [{ name: 'amount', type: 'double' }] },
    });
    expect(v1).toEqual({
      model: a,
      modelId: expect.any(String),
      version: 1,
      description: 'first',
      stage: 'development',
      status: 'ready',
      source: 's3://runs/1/model',
      runId: 'run-1',
      loggedModelId: null,
      params: { lr: '0.01' },
      metrics: { auc: 0.91, loss: -1.5e-3 },
      tags: { owner: 'alice' },
      lineage: { ...lineage, codeCommit: 'abcdef1' },
      signature: { inputs: [{ name: 'amount', type: 'double' }] },
      aliases: [],
      artifacts: { count: 0, totalBytes: 0, sealed: false },
      createdAt: expect.any(String),
      createdBy: 'alice',
      updatedAt: v1.createdAt,
      updatedBy: 'alice',
      stageChangedAt: null,
    });
    expect((await createVersion(alice(), a)).version).toBe(2);
    expect((await createVersion(client().as('dave'), a)).version).toBe(3);
    expect((await createVersion(alice(), b)).version).toBe(1);
    expect(await getModel(alice(), a)).toMatchObject({ latestVersion: 3, versionCount: 3 });
    expect(await getModel(alice(), b)).toMatchObject({ latestVersion: 1, versionCount: 1 });
    expect(await getVersion(alice(), a, 1)).toEqual(v1);
    expectError(await alice().get(versionPath(a, 4)), 404, 'NOT_FOUND');
    expectError(await alice().post(`${modelPath(uniqueName('missing'))}/versions`, {}), 404, 'NOT_FOUND');
  });

  it('never reuses a number after a delete', async () => {
    const name = uniqueName('reuse');
    await createModel(alice(), name);
    for (let i = 0; i < 3; i++) await createVersion(alice(), name);
    expectStatus(await alice().delete(versionPath(name, 3)), 204);
    expectError(await alice().get(versionPath(name, 3)), 404, 'NOT_FOUND');
    expectError(await alice().delete(versionPath(name, 3)), 404, 'NOT_FOUND');
    expectError(await alice().patch(versionPath(name, 3), { description: 'x' }), 404, 'NOT_FOUND');
    expect((await createVersion(alice(), name)).version).toBe(4);
    expectStatus(await alice().delete(versionPath(name, 2)), 204);
    expect((await createVersion(alice(), name)).version).toBe(5);
    const listed = await alice().get<Page<VersionBody>>(`${modelPath(name)}/versions`);
    expectStatus(listed, 200);
    expect(listed.body.items.map((v) => v.version)).toEqual([5, 4, 1]);
    expect(await getModel(alice(), name)).toMatchObject({ latestVersion: 5, versionCount: 3 });
  });

  it('changes a version description with PATCH; an empty PATCH changes nothing', async () => {
    const name = uniqueName('vpatch');
    await createModel(alice(), name);
    await grant(alice(), name, 'user:dave', 'write');
    const created = await createVersion(alice(), name, { description: 'before' });
    const patched = await client().as('dave').patch<VersionBody>(versionPath(name, 1), { description: 'after' });
    expectStatus(patched, 200);
    expect(patched.body).toMatchObject({ version: 1, description: 'after', updatedBy: 'dave', createdBy: 'alice' });
    expect((await getVersion(alice(), name, 1)).description).toBe('after');
    const empty = await alice().patch<VersionBody>(versionPath(name, 1), {});
    expectStatus(empty, 200);
    expect(empty.body).toEqual(patched.body);
    expect(created.description).toBe('before');
    expectError(await alice().patch(versionPath(name, 2), { description: 'x' }), 404, 'NOT_FOUND');
  });

  it('sets, overwrites and removes version tags', async () => {
    const name = uniqueName('vtags');
    await createModel(alice(), name);
    await createVersion(alice(), name, { tags: { keep: '1' } });
    const set = await alice().put<VersionBody>(`${versionPath(name, 1)}/tags/validated`, { value: 'true' });
    expectStatus(set, 200);
    expect(set.body.tags).toEqual({ keep: '1', validated: 'true' });
    expect((await alice().put<VersionBody>(`${versionPath(name, 1)}/tags/validated`, { value: 'false' })).body.tags).toEqual({ keep: '1', validated: 'false' });
    expectStatus(await alice().delete(`${versionPath(name, 1)}/tags/validated`), 204);
    expect((await getVersion(alice(), name, 1)).tags).toEqual({ keep: '1' });
    expectError(await alice().delete(`${versionPath(name, 1)}/tags/validated`), 404, 'NOT_FOUND');
    expectError(await alice().put(`${versionPath(name, 9)}/tags/x`, { value: 'y' }), 404, 'NOT_FOUND');
    const found = await alice().get<Page<VersionBody>>(`${modelPath(name)}/versions${query({ filter: "tags.keep = '1'" })}`);
    expect(found.body.items.map((v) => v.version)).toEqual([1]);
  });

  describe('listing and search', () => {
    const prefix = uniqueName('search');
    const m1 = `${prefix}-one`;
    const m2 = `${prefix}-two`;
    const scope = `model LIKE '${prefix}-%'`;

    beforeAll(async () => {
      await createModel(alice(), m1);
      await createModel(alice(), m2);
      // m1: v1 auc .95 x=1, v2 auc .85 x=1, v3 auc .92 x=2, v4 auc .90 x=1 (archived below); m2: v1 auc .99 x=1
      for (const [auc, x] of [
        [0.95, '1'],
        [0.85, '1'],
        [0.92, '2'],
        [0.9, '1'],
      ] as const) {
        await createVersion(alice(), m1, { metrics: { auc }, params: { x } });
      }
      await createVersion(alice(), m2, { metrics: { auc: 0.99, f1: 0.5 }, params: { x: '1' } });
      await promote(alice(), bob(), m1, 4, 'archived');
    });

    const search = async (filter: string, extra: Record<string, string | number> = {}) => {
      const reply = await alice().get<Page<VersionBody>>(`${API}/versions${query({ filter, ...extra })}`);
      expectStatus(reply, 200);
      return reply.body.items.map((v) => `${v.model === m1 ? 'm1' : v.model === m2 ? 'm2' : v.model}:${v.version}`);
    };

    it("lists one model's versions, newest first, in pages", async () => {
      const { items, pages } = await listAll<VersionBody>(alice(), `${modelPath(m1)}/versions`, { pageSize: 3 }, (v) => String(v.version));
      expect(items.map((v) => v.version)).toEqual([4, 3, 2, 1]);
      expect(pages[0]).toBe(3);
      const asc = await alice().get<Page<VersionBody>>(`${modelPath(m1)}/versions${query({ orderBy: 'version asc' })}`);
      expect(asc.body.items.map((v) => v.version)).toEqual([1, 2, 3, 4]);
      const dev = await alice().get<Page<VersionBody>>(`${modelPath(m1)}/versions${query({ filter: "stage = 'development'", orderBy: 'version' })}`);
      expect(dev.body.items.map((v) => v.version)).toEqual([1, 2, 3]);
    });

    it('searches versions across models by metrics, stage and params', async () => {
      expect(await search(`${scope} AND metrics.auc >= 0.9 AND stage = 'development'`, { orderBy: 'version' })).toEqual(expect.arrayContaining(['m1:1', 'm1:3', 'm2:1']));
      expect((await search(`${scope} AND metrics.auc >= 0.9 AND stage = 'development'`)).sort()).toEqual(['m1:1', 'm1:3', 'm2:1']);
      expect((await search(`${scope} AND metrics.auc >= 0.9`)).sort()).toEqual(['m1:1', 'm1:3', 'm1:4', 'm2:1']);
      expect((await search(`${scope} AND params.x = '1'`)).sort()).toEqual(['m1:1', 'm1:2', 'm1:4', 'm2:1']);
      expect((await search(`${scope} AND params.x = 1`)).sort()).toEqual(['m1:1', 'm1:2', 'm1:4', 'm2:1']);
      expect(await search(`${scope} AND stage = 'archived'`)).toEqual(['m1:4']);
      expect((await search(`${scope} AND metrics.f1 > 0`)).sort()).toEqual(['m2:1']);
      expect((await search(`${scope} AND (metrics.auc < 0.86 OR params.x = '2')`)).sort()).toEqual(['m1:2', 'm1:3']);
      expect((await search(`model = '${m2}'`)).sort()).toEqual(['m2:1']);
      expect(await search(`${scope} AND metrics.auc >= 0.9`, { orderBy: 'metrics.auc desc' })).toEqual(['m2:1', 'm1:1', 'm1:3', 'm1:4']);
    });

    it('pages a cross-model search exactly once per version', async () => {
      const { items } = await listAll<VersionBody>(alice(), `${API}/versions`, { filter: scope, pageSize: 2 }, (v) => `${v.model}:${v.version}`);
      expect(items.map((v) => `${v.model}:${v.version}`).sort()).toEqual([`${m1}:1`, `${m1}:2`, `${m1}:3`, `${m1}:4`, `${m2}:1`]);
    });
  });

  it('reads a version as of an earlier instant: the stage it had then', async () => {
    const name = uniqueName('vasof');
    await createModel(alice(), name);
    const created = await createVersion(alice(), name, { description: 'd' });
    await afterServerTime(alice(), created.updatedAt);
    const archived = await promote(alice(), bob(), name, 1, 'archived');
    const now = await getVersion(alice(), name, 1);
    expect(now.stage).toBe('archived');
    expect(now.stageChangedAt).not.toBeNull();

    const then = await alice().get<VersionBody & { asOf: string }>(`${versionPath(name, 1)}${query({ asOf: created.createdAt })}`);
    expectStatus(then, 200);
    expect(then.body).toMatchObject({ model: name, version: 1, stage: 'development', description: 'd', asOf: created.createdAt });
    const later = await alice().get<VersionBody>(`${versionPath(name, 1)}${query({ asOf: archived.updatedAt })}`);
    expectStatus(later, 200);
    expect(later.body.stage).toBe('archived');
    expectError(await alice().get(`${versionPath(name, 1)}${query({ asOf: justBefore(created.createdAt) })}`), 404, 'NOT_FOUND');
    expectError(await alice().get(`${versionPath(name, 2)}${query({ asOf: archived.updatedAt })}`), 404, 'NOT_FOUND');
  });

  it('hands out 1..20 to 20 concurrent creations, each answered 201', async () => {
    const name = uniqueName('parallel');
    await createModel(alice(), name);
    await grant(alice(), name, 'user:dave', 'write');
    const replies = await Promise.all(Array.from({ length: 20 }, (_, i) => (i % 2 === 0 ? alice() : client().as('dave')).post<VersionBody>(`${modelPath(name)}/versions`, { params: { i: String(i) } })));
    expect(replies.map((r) => r.status)).toEqual(Array.from({ length: 20 }, () => 201));
    expect(replies.map((r) => r.body.version).sort((x, y) => x - y)).toEqual(Array.from({ length: 20 }, (_, i) => i + 1));
    // Each reply describes the version its own request created.
    const byVersion = new Map(replies.map((r) => [r.body.version, r.body.params['i']]));
    const { items } = await listAll<VersionBody>(alice(), `${modelPath(name)}/versions`, { pageSize: 7, orderBy: 'version asc' }, (v) => String(v.version));
    expect(items.map((v) => v.version)).toEqual(Array.from({ length: 20 }, (_, i) => i + 1));
    for (const v of items) expect(v.params['i']).toBe(byVersion.get(v.version));
    expect(await getModel(alice(), name)).toMatchObject({ latestVersion: 20, versionCount: 20 });
  });

  it('refuses to delete a version in production (409 FAILED_PRECONDITION)', async () => {
    const name = uniqueName('vprod');
    await createModel(alice(), name);
    await createVersion(alice(), name);
    await promote(alice(), bob(), name, 1, 'production');
    expectError(await alice().delete(versionPath(name, 1)), 409, 'FAILED_PRECONDITION');
    expect((await getVersion(alice(), name, 1)).stage).toBe('production');
    // Taking it out of production needs an approval, as putting it there did.
    await promote(alice(), bob(), name, 1, 'archived');
    expectStatus(await alice().delete(versionPath(name, 1)), 204);
  });
});
