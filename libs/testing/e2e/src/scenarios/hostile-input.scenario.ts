import { scenario } from '../scenarios';
import { uniqueName } from '../registry-client';
import { rawRequest } from '../raw-http';
import { API, createModel, createVersion, expectClientError, expectError, expectStatus, getModel, historyOf, modelPath, query, versionPath } from '../fixtures';
import type { ModelBody, Page, VersionBody } from '../fixtures';

// Every refusal here must be a 4xx in the JSON envelope (never a 5xx) and must leave no trace: each test
// checks with a follow-up read that nothing was created or changed.

scenario('hostile input: refused with a 4xx envelope, and nothing changes', (client, target) => {
  const alice = () => client().as('alice');

  /** Models whose name starts with `prefix` (LIKE wildcards in the prefix are not used by uniqueName). */
  const modelsStartingWith = async (prefix: string) => {
    const reply = await alice().get<Page<ModelBody>>(`${API}/models${query({ filter: `name ILIKE '${prefix}%'`, pageSize: 1000 })}`);
    expectStatus(reply, 200);
    return reply.body.items.map((m) => m.name);
  };

  /** A model with one version, and a function proving that nothing about it changed since. */
  const guardedModel = async () => {
    const name = uniqueName('target');
    await createModel(alice(), name, { description: 'original', tags: { a: 'b' } });
    await createVersion(alice(), name, { description: 'v1', metrics: { auc: 0.5 } });
    const model = await getModel(alice(), name);
    const version = (await alice().get<VersionBody>(versionPath(name, 1))).body;
    const events = (await historyOf(alice(), name)).map((e) => e.eventId);
    const unchanged = async () => {
      expect(await getModel(alice(), name)).toEqual(model);
      expect((await alice().get<VersionBody>(versionPath(name, 1))).body).toEqual(version);
      expect((await historyOf(alice(), name)).map((e) => e.eventId)).toEqual(events);
    };
    return { name, unchanged };
  };

  describe('model names', () => {
    it.each([
      ['a slash', (p: string) => `${p}/x`],
      ['a backslash', (p: string) => `${p}\\x`],
      ['a double dot', (p: string) => `${p}..x`],
      ['a trailing double dot', (p: string) => `${p}..`],
      ['a NUL', (p: string) => `${p}\u0000x`],
      ['a newline', (p: string) => `${p}\nx`],
      ['a DEL', (p: string) => `${p}\u007fx`],
      ['300 characters', (p: string) => `${p}${'x'.repeat(300 - p.length)}`],
      ['257 characters', (p: string) => `${p}${'x'.repeat(257 - p.length)}`],
      ['unicode letters', (p: string) => `${p}-modèle`],
      ['an emoji', (p: string) => `${p}-🚀`],
      ['a lone surrogate', (p: string) => `${p}-\ud800`],
      ['a space', (p: string) => `${p} x`],
      ['a percent sign', (p: string) => `${p}%2e`],
      ['a quote', (p: string) => `${p}'--`],
    ])('refuses a name with %s', async (_label, make) => {
      const prefix = uniqueName('hostile');
      const reply = await alice().post(`${API}/models`, { name: make(prefix) });
      expectError(reply, 400, 'INVALID_ARGUMENT');
      expect(await modelsStartingWith(prefix)).toEqual([]);
    });

    it.each([[''], ['.hidden'], ['-dash'], ['_under'], [' '], [123], [null], [['a']], [{ a: 1 }]])('refuses name %j', async (bad) => {
      expectError(await alice().post(`${API}/models`, { name: bad }), 400, 'INVALID_ARGUMENT');
    });

    it('accepts a name of exactly 256 characters', async () => {
      const prefix = uniqueName('long');
      const name = `${prefix}${'x'.repeat(256 - prefix.length)}`;
      const created = await createModel(alice(), name);
      expect(created.name).toBe(name);
    });

    it('refuses hostile names in paths with 400 (never a 5xx)', async () => {
      for (const path of ['a%2Fb', '..', '%2e%2e', 'a..b', '.hidden', 'a%00b', 'a%0Ab', `${'x'.repeat(300)}`, 'mod%C3%A8le', '%F0%9F%9A%80', 'a%20b', '%ff']) {
        for (const suffix of ['', '/versions', '/history', '/integrity', '/policy', '/versions/1']) {
          const reply = await rawRequest(target(), 'GET', `${API}/models/${path}${suffix}`, { user: 'alice' });
          expectClientError(reply);
        }
        const patch = await rawRequest(target(), 'PATCH', `${API}/models/${path}`, { user: 'alice', body: '{"description":"x"}', headers: { 'content-type': 'application/json' } });
        expectClientError(patch);
      }
      // Renaming onto a bad name: 400, and the model keeps its name.
      const { name, unchanged } = await guardedModel();
      for (const newName of ['a/b', '..', 'x'.repeat(300), 'modèle', '']) {
        expectError(await alice().post(`${modelPath(name)}/rename`, { newName }), 400, 'INVALID_ARGUMENT');
      }
      await unchanged();
    });
  });

  describe('bodies', () => {
    it('refuses an over-long description (> 5000 characters) on create and on PATCH', async () => {
      const prefix = uniqueName('longdesc');
      expectError(await alice().post(`${API}/models`, { name: prefix, description: 'x'.repeat(5001) }), 400, 'INVALID_ARGUMENT');
      expect(await modelsStartingWith(prefix)).toEqual([]);
      expectStatus(await alice().post(`${API}/models`, { name: `${prefix}-ok`, description: 'x'.repeat(5000) }), 201);
      const { name, unchanged } = await guardedModel();
      expectError(await alice().patch(modelPath(name), { description: 'x'.repeat(5001) }), 400, 'INVALID_ARGUMENT');
      expectError(await alice().patch(versionPath(name, 1), { description: 'x'.repeat(5001) }), 400, 'INVALID_ARGUMENT');
      expectError(await alice().patch(modelPath(name), { description: 'bell\u0007' }), 400, 'INVALID_ARGUMENT');
      expectError(await alice().patch(modelPath(name), { description: 42 }), 400, 'INVALID_ARGUMENT');
      await unchanged();
    });

    it('refuses a non-JSON content type with 415', async () => {
      const { name, unchanged } = await guardedModel();
      const prefix = uniqueName('ctype');
      const body = JSON.stringify({ name: prefix });
      for (const contentType of ['text/plain', 'application/x-www-form-urlencoded', 'multipart/form-data; boundary=x', 'application/xml', 'application/jsonp']) {
        expectError(await alice().request('POST', `${API}/models`, { body, headers: { 'content-type': contentType } }), 415, 'UNSUPPORTED_MEDIA_TYPE');
        expectError(await alice().request('PATCH', modelPath(name), { body: '{"description":"x"}', headers: { 'content-type': contentType } }), 415, 'UNSUPPORTED_MEDIA_TYPE');
      }
      expectError(await alice().request('POST', `${API}/models`, { body }), 415, 'UNSUPPORTED_MEDIA_TYPE');
      // A JSON subtype with parameters is JSON.
      expectStatus(await alice().request('POST', `${API}/models`, { body, headers: { 'content-type': 'application/json; charset=utf-8' } }), 201);
      expect(await modelsStartingWith(prefix)).toEqual([prefix]);
      await unchanged();
    });

    it('refuses malformed JSON, and JSON that is not an object, with 400', async () => {
      const { name, unchanged } = await guardedModel();
      const prefix = uniqueName('badjson');
      for (const text of [`{"name": "${prefix}"`, `{name: "${prefix}"}`, `{"name": "${prefix}",}`, "{'name': 'x'}", `{"name": "${prefix}"} trailing`, '\u0000', '[', `["${prefix}"]`, `"${prefix}"`, '42', 'null', 'true', '[]']) {
        expectError(await alice().request('POST', `${API}/models`, { json: text }), 400, 'INVALID_ARGUMENT');
        expectError(await alice().request('PATCH', modelPath(name), { json: text }), 400, 'INVALID_ARGUMENT');
        expectError(await alice().request('POST', `${modelPath(name)}/versions`, { json: text }), 400, 'INVALID_ARGUMENT');
      }
      expect(await modelsStartingWith(prefix)).toEqual([]);
      await unchanged();
    });

    it('refuses unknown body fields with 400', async () => {
      const { name, unchanged } = await guardedModel();
      const prefix = uniqueName('unknown');
      expectError(await alice().post(`${API}/models`, { name: prefix, owner: 'mallory' }), 400, 'INVALID_ARGUMENT');
      expectError(await alice().post(`${API}/models`, { name: prefix, id: '00000000-0000-4000-8000-000000000000' }), 400, 'INVALID_ARGUMENT');
      expectError(await alice().post(`${API}/models`, { name: prefix, createdBy: 'bob' }), 400, 'INVALID_ARGUMENT');
      expectError(await alice().request('POST', `${API}/models`, { json: `{"name": "${prefix}", "__proto__": {"admin": true}}` }), 400, 'INVALID_ARGUMENT');
      expectError(await alice().request('POST', `${API}/models`, { json: `{"name": "${prefix}", "constructor": {"prototype": {"admin": true}}}` }), 400, 'INVALID_ARGUMENT');
      expectError(await alice().patch(modelPath(name), { description: 'x', name: 'renamed' }), 400, 'INVALID_ARGUMENT');
      expectError(await alice().post(`${modelPath(name)}/versions`, { version: 7 }), 400, 'INVALID_ARGUMENT');
      expectError(await alice().post(`${modelPath(name)}/versions`, { stage: 'production' }), 400, 'INVALID_ARGUMENT');
      expectError(await alice().post(`${modelPath(name)}/versions`, { lineage: { datasets: [{ name: 'd', uri: 's3://b/k', size: 1 }] } }), 400, 'INVALID_ARGUMENT');
      expectError(await alice().post(`${modelPath(name)}/versions`, { lineage: { commit: 'abcdef1' } }), 400, 'INVALID_ARGUMENT');
      expectError(await alice().put(`${modelPath(name)}/tags/x`, { value: 'y', extra: 1 }), 400, 'INVALID_ARGUMENT');
      expectError(await alice().post(`${versionPath(name, 1)}/transitions`, { stage: 'staging', approvedBy: 'bob' }), 400, 'INVALID_ARGUMENT');
      expect(await modelsStartingWith(prefix)).toEqual([]);
      await unchanged();
      expect((await alice().get<Page<unknown>>(`${API}/transitions${query({ model: name })}`)).body.items).toEqual([]);
    });

    it('refuses keys named after object members (__proto__, constructor, toString ...) rather than dropping them', async () => {
      const { name, unchanged } = await guardedModel();
      const prefix = uniqueName('protokeys');
      for (const key of ['__proto__', 'constructor', 'toString', 'hasOwnProperty', 'valueOf']) {
        const k = JSON.stringify(key);
        expectError(await alice().request('POST', `${API}/models`, { json: `{"name": "${prefix}", "tags": {${k}: "x"}}` }), 400, 'INVALID_ARGUMENT');
        expectError(await alice().request('POST', `${modelPath(name)}/versions`, { json: `{"metrics": {${k}: 1}}` }), 400, 'INVALID_ARGUMENT');
        expectError(await alice().request('POST', `${modelPath(name)}/versions`, { json: `{"params": {${k}: "1"}}` }), 400, 'INVALID_ARGUMENT');
        expectError(await alice().request('POST', `${modelPath(name)}/versions`, { json: `{"signature": {"inputs": [{${k}: {"polluted": true}}]}}` }), 400, 'INVALID_ARGUMENT');
        expectError(await alice().request('POST', `${modelPath(name)}/versions`, { json: `{"lineage": {${k}: {}}}` }), 400, 'INVALID_ARGUMENT');
        expectError(await alice().request('PATCH', modelPath(name), { json: `{"description": "x", ${k}: {"admin": true}}` }), 400, 'INVALID_ARGUMENT');
      }
      expect(await modelsStartingWith(prefix)).toEqual([]);
      await unchanged();
      // Nothing leaked into other objects.
      const fresh = await createModel(alice(), `${prefix}-clean`);
      expect(fresh.tags).toEqual({});
      expect(Object.keys(fresh.tags)).toEqual([]);
    });

    it('refuses a JSON body over 1 MiB with 413', async () => {
      const prefix = uniqueName('huge');
      const big = JSON.stringify({ name: prefix, description: 'x'.repeat(1024 * 1024 + 10) });
      expectError(await alice().request('POST', `${API}/models`, { json: big }), 413, 'PAYLOAD_TOO_LARGE');
      const { name, unchanged } = await guardedModel();
      expectError(await alice().request('POST', `${modelPath(name)}/versions`, { json: JSON.stringify({ signature: { blob: 'y'.repeat(2 * 1024 * 1024) } }) }), 413, 'PAYLOAD_TOO_LARGE');
      // Under the limit but over the field's own bound: 400.
      expectError(await alice().post(`${modelPath(name)}/versions`, { signature: { blob: 'y'.repeat(70 * 1024) } }), 400, 'INVALID_ARGUMENT');
      expect(await modelsStartingWith(prefix)).toEqual([]);
      await unchanged();
    });

    it('refuses bad metrics, params, tags and lineage with 400', async () => {
      const { name, unchanged } = await guardedModel();
      const bad: unknown[] = [
        { metrics: { auc: 'high' } },
        { metrics: { auc: '0.9' } },
        { metrics: { auc: null } },
        { metrics: { auc: [0.9] } },
        { metrics: { auc: { value: 0.9 } } },
        { metrics: { auc: true } },
        { metrics: [0.9] },
        { metrics: 'auc=0.9' },
        { metrics: { '': 1 } },
        { metrics: { 'a\u0000b': 1 } },
        { params: { lr: 0.01 } },
        { params: { lr: null } },
        { params: { 'bad\nkey': '1' } },
        { tags: { ' padded': 'x' } },
        { tags: { k: 'v'.repeat(5001) } },
        { tags: { k: 'nul\u0000' } },
        { tags: Object.fromEntries(Array.from({ length: 201 }, (_, i) => [`k${i}`, 'v'])) },
        { params: { ['k'.repeat(251)]: 'v' } },
        { runId: 'has space' },
        { runId: '' },
        { signature: [1, 2] },
        { signature: 'schema' },
      ];
      for (const body of bad) {
        const reply = await alice().post(`${modelPath(name)}/versions`, body);
        expect({ body, status: reply.status }).toEqual({ body, status: 400 });
        expectError(reply, 400, 'INVALID_ARGUMENT');
      }
      for (const text of ['{"metrics": {"auc": NaN}}', '{"metrics": {"auc": Infinity}}', '{"metrics": {"auc": 1e999}}', '{"metrics": {"auc": -1e999}}']) {
        expectError(await alice().request('POST', `${modelPath(name)}/versions`, { json: text }), 400, 'INVALID_ARGUMENT');
      }
      await unchanged();
      expect((await getModel(alice(), name)).latestVersion).toBe(1);
    });

    it('refuses invalid URIs and digests in lineage with 400', async () => {
      const { name, unchanged } = await guardedModel();
      const dataset = (over: Record<string, unknown>) => ({ lineage: { datasets: [{ name: 'tx', uri: 's3://bucket/tx.parquet', ...over }] } });
      const bad: unknown[] = [
        dataset({ uri: 'not a uri' }),
        dataset({ uri: 'relative/path.parquet' }),
        dataset({ uri: '/absolute/path' }),
        dataset({ uri: '' }),
        dataset({ uri: 'http://exa mple.com/x' }),
        dataset({ uri: 's3://bucket/\u0000' }),
        dataset({ uri: `s3://bucket/${'k'.repeat(2100)}` }),
        dataset({ uri: 42 }),
        dataset({ digest: 'not-a-digest' }),
        dataset({ digest: 'sha256:' }),
        dataset({ name: '' }),
        dataset({ name: '../etc' }),
        { lineage: { datasets: 'tx' } },
        { lineage: { datasets: [null] } },
        { lineage: { codeRepository: 'git@github.com:risk/fraud.git' } },
        { lineage: { codeRepository: 'github.com/risk/fraud' } },
        { lineage: { codeCommit: 'not-hex!' } },
        { lineage: { codeCommit: 'abc' } },
        { lineage: { pipeline: 'line\nbreak' } },
        { lineage: 'tx' },
        { source: 'relative/model' },
        { source: 'javascript alert(1)' },
      ];
      for (const body of bad) {
        const reply = await alice().post(`${modelPath(name)}/versions`, body);
        expect({ body, status: reply.status }).toEqual({ body, status: 400 });
        expectError(reply, 400, 'INVALID_ARGUMENT');
      }
      await unchanged();
    });

    it('refuses bad tag keys in paths and bad tag values', async () => {
      const { name, unchanged } = await guardedModel();
      for (const key of ['a%00b', 'a%0Ab', `${'k'.repeat(251)}`, '%20padded', 'padded%20', 'mod%C3%A8le', 'a%22b', 'a;b']) {
        const reply = await rawRequest(target(), 'PUT', `${modelPath(name)}/tags/${key}`, { user: 'alice', body: '{"value":"x"}', headers: { 'content-type': 'application/json' } });
        expect({ key, status: reply.status }).toEqual({ key, status: 400 });
        expectError(reply, 400, 'INVALID_ARGUMENT');
        expectError(await rawRequest(target(), 'DELETE', `${versionPath(name, 1)}/tags/${key}`, { user: 'alice' }), 400, 'INVALID_ARGUMENT');
      }
      for (const value of [5, null, 'v'.repeat(5001), 'nul\u0000', { v: 1 }]) {
        expectError(await alice().put(`${modelPath(name)}/tags/k`, { value }), 400, 'INVALID_ARGUMENT');
        expectError(await alice().put(`${versionPath(name, 1)}/tags/k`, { value }), 400, 'INVALID_ARGUMENT');
      }
      await unchanged();
    });
  });

  describe('query parameters', () => {
    let page: string | null = null;
    beforeAll(async () => {
      const prefix = uniqueName('q');
      await createModel(alice(), `${prefix}-1`);
      await createModel(alice(), `${prefix}-2`);
      const first = await alice().get<Page<ModelBody>>(`${API}/models${query({ filter: `name LIKE '${prefix}-%'`, pageSize: 1 })}`);
      page = first.body.nextPageToken;
      expect(page).not.toBeNull();
    });

    const lists = () => [`${API}/models`, `${API}/versions`, `${API}/transitions`];

    it('refuses junk page tokens and tokens from another query with 400', async () => {
      for (const token of ['junk', 'AAAA', '!!!', 'e30', Buffer.from('{"v":1,"q":"x","k":"a","i":"b"}').toString('base64url'), 'x'.repeat(2000), `${page ?? ''}x`]) {
        for (const path of lists()) expectError(await alice().get(`${path}${query({ pageToken: token })}`), 400, 'INVALID_ARGUMENT');
      }
      // The token continues only the query it came from (same filter and order).
      expectError(await alice().get(`${API}/models${query({ pageToken: page ?? '', filter: "name LIKE 'other%'", pageSize: 1 })}`), 400, 'INVALID_ARGUMENT');
      expectError(await alice().get(`${API}/models${query({ pageToken: page ?? '', pageSize: 1 })}`), 400, 'INVALID_ARGUMENT');
      expectError(await alice().get(`${API}/versions${query({ pageToken: page ?? '' })}`), 400, 'INVALID_ARGUMENT');
      expectError(await alice().get(`${API}/transitions${query({ pageToken: page ?? '' })}`), 400, 'INVALID_ARGUMENT');
    });

    it('refuses page sizes outside 1..1000 with 400', async () => {
      for (const size of ['0', '1001', 'abc', '-1', '1.5', '1e2', ' 5', '0x10', '99999999999999999999']) {
        for (const path of lists()) expectError(await alice().get(`${path}${query({ pageSize: size })}`), 400, 'INVALID_ARGUMENT');
      }
      expectStatus(await alice().get(`${API}/models${query({ pageSize: '1000' })}`), 200);
      expectStatus(await alice().get(`${API}/models${query({ pageSize: '1' })}`), 200);
    });

    it('refuses bad filters with 400', async () => {
      const filters = [
        'name =',
        'foo = 1',
        "name = 'x' OR 1=1 --",
        "name = 'x'; DROP TABLE models",
        "name = 'x' OR '1'='1'",
        "(name = 'x'",
        "name = 'x')",
        "((name = 'x')",
        "name = 'unterminated",
        'name',
        "= 'x'",
        "name == 'x'",
        'name LIKE 5',
        "latestVersion LIKE '1%'",
        "latestVersion > 'many'",
        "createdAt > 'yesterday'",
        "tags. = 'x'",
        'name IN ()',
        "name IN 'x'",
        "__proto__ = 'x'",
        'constructor = 1',
        "name = 'a' AND",
        "NOT name = 'x'",
        "name = 'x\u0001'",
        `name = '${'x'.repeat(5000)}'`,
        Array.from({ length: 60 }, (_, i) => `name = 'n${i}'`).join(' OR '),
        `${'('.repeat(20)}name = 'x'${')'.repeat(20)}`,
      ];
      for (const filter of filters) {
        const reply = await alice().get(`${API}/models${query({ filter })}`);
        expect({ filter: filter.slice(0, 80), status: reply.status }).toEqual({ filter: filter.slice(0, 80), status: 400 });
        expectError(reply, 400, 'INVALID_ARGUMENT');
      }
      expectError(await alice().get(`${API}/versions${query({ filter: "metrics.auc >= 'high'" })}`), 400, 'INVALID_ARGUMENT');
      expectError(await alice().get(`${API}/versions${query({ filter: 'stage LIKE' })}`), 400, 'INVALID_ARGUMENT');
      expectError(await alice().get(`${API}/transitions${query({ filter: "approvals = 'bob'" })}`), 400, 'INVALID_ARGUMENT');
    });

    it('refuses bad orderBy with 400', async () => {
      for (const orderBy of ['foo', 'name sideways', 'name asc, createdAt desc', 'name; DROP TABLE x', 'tags.', '']) {
        const reply = await alice().get(`${API}/models${query({ orderBy })}`);
        if (orderBy === '') {
          expectStatus(reply, 200);
        } else {
          expectError(reply, 400, 'INVALID_ARGUMENT');
        }
      }
    });

    it('refuses bad asOf values with 400', async () => {
      const { name } = await guardedModel();
      for (const asOf of ['yesterday', '2024-02-30', '2024-13-01', '2024-01-01T00:00:00', '2024-01-01T25:00:00Z', '1700000000', 'now', '2024-01-01T00:00:00+24:00', `2024-01-01T00:00:00.${'1'.repeat(50)}Z`]) {
        expectError(await alice().get(`${modelPath(name)}${query({ asOf })}`), 400, 'INVALID_ARGUMENT');
        expectError(await alice().get(`${versionPath(name, 1)}${query({ asOf })}`), 400, 'INVALID_ARGUMENT');
      }
      expectError(await alice().get(`${modelPath(name)}?asOf=2024-01-01&asOf=2025-01-01`), 400, 'INVALID_ARGUMENT');
    });

    it('refuses unknown and repeated query parameters with 400', async () => {
      const { name } = await guardedModel();
      for (const path of [`${API}/models`, `${API}/versions`, `${modelPath(name)}/versions`, `${modelPath(name)}/history`, modelPath(name), versionPath(name, 1)]) {
        expectError(await alice().get(`${path}?foo=1`), 400, 'INVALID_ARGUMENT');
        expectError(await alice().get(`${path}?pagesize=5`), 400, 'INVALID_ARGUMENT');
      }
      expectError(await alice().get(`${API}/models?filter=${encodeURIComponent("name = 'a'")}&filter=${encodeURIComponent("name = 'b'")}`), 400, 'INVALID_ARGUMENT');
      expectError(await alice().get(`${API}/models?pageSize=1&pageSize=2`), 400, 'INVALID_ARGUMENT');
      expectError(await alice().get(`${API}/transitions?status=pending&status=applied`), 400, 'INVALID_ARGUMENT');
    });
  });

  describe('paths', () => {
    it.each([['0'], ['-1'], ['abc'], ['1.5'], ['01'], ['1e3'], ['9999999999'], ['%20'], ['1%00'], ['0x1'], ['+1']])('refuses version %j in paths with 400', async (version) => {
      const { name, unchanged } = await guardedModel();
      const base = `${modelPath(name)}/versions/${version}`;
      const calls: [string, string, string | undefined][] = [
        ['GET', base, undefined],
        ['PATCH', base, '{"description":"x"}'],
        ['DELETE', base, undefined],
        ['GET', `${base}/history`, undefined],
        ['GET', `${base}/provenance`, undefined],
        ['GET', `${base}/artifacts`, undefined],
        ['GET', `${base}/artifacts/x.bin`, undefined],
        ['PUT', `${base}/tags/k`, '{"value":"v"}'],
        ['DELETE', `${base}/tags/k`, undefined],
        ['POST', `${base}/transitions`, '{"stage":"archived"}'],
      ];
      for (const [method, path, body] of calls) {
        const reply = await rawRequest(target(), method, path, { user: 'alice', ...(body ? { body, headers: { 'content-type': 'application/json' } } : {}) });
        expect({ call: `${method} ${path}`, status: reply.status }).toEqual({ call: `${method} ${path}`, status: 400 });
        expectError(reply, 400, 'INVALID_ARGUMENT');
      }
      const upload = await rawRequest(target(), 'PUT', `${base}/artifacts/x.bin`, { user: 'alice', body: Buffer.from('x'), headers: { 'content-type': 'application/octet-stream' } });
      expectError(upload, 400, 'INVALID_ARGUMENT');
      expectError(await alice().get(`${API}/transitions${query({ model: name, version })}`), 400, 'INVALID_ARGUMENT');
      await unchanged();
    });

    it('answers unknown routes and methods with a 4xx envelope', async () => {
      for (const [method, path] of [
        ['GET', `${API}/nothing-here`],
        ['DELETE', `${API}/models`],
        ['PUT', `${API}/versions`],
        ['POST', `${API}/transitions`],
        ['GET', '/api/v2/models'],
        ['TRACE', `${API}/models`],
      ] as const) {
        const reply = await rawRequest(target(), method, path, { user: 'alice' });
        expectClientError(reply);
      }
    });

    it('answers transition ids that are not ids with 404, never a 5xx', async () => {
      for (const id of ['x', '..', '%00', 'DROP%20TABLE', '00000000-0000-0000-0000-00000000000G', `${'a'.repeat(500)}`]) {
        expectError(await rawRequest(target(), 'GET', `${API}/transitions/${id}`, { user: 'alice' }), 404, 'NOT_FOUND');
        expectError(await rawRequest(target(), 'POST', `${API}/transitions/${id}/approve`, { user: 'bob', body: '{}', headers: { 'content-type': 'application/json' } }), 404, 'NOT_FOUND');
      }
    });
  });

  it('rejects a malformed consistency token with 400', async () => {
    for (const token of ['!!!', 'W10', Buffer.from('[["model-x",-1]]').toString('base64url'), Buffer.from('{"a":1}').toString('base64url'), 'x'.repeat(5000)]) {
      const reply = await alice().get(`${API}/models`, { 'x-mreg-consistency': token });
      if (token === 'W10') {
        // "[]": an empty token is harmless.
        expectStatus(reply, 200);
      } else {
        expectError(reply, 400, 'INVALID_ARGUMENT');
      }
    }
  });

  it('refuses a well-formed consistency token that names a write the log does not have, at once', async () => {
    const name = uniqueName('forged');
    const created = await alice().post(`${API}/models`, { name });
    expectStatus(created, 201);
    const real = created.headers.get('x-mreg-consistency') ?? '';
    const [[streamId, revision]] = JSON.parse(Buffer.from(real, 'base64url').toString('utf8')) as [string, number][];
    // The real token is honoured; one revision further, or a stream that does not exist, is a forgery.
    expectStatus(await alice().get(`${API}/models`, { 'x-mreg-consistency': real }), 200);
    for (const forged of [[[streamId, revision + 1]], [[streamId, 9_000_000]], [['model-00000000-0000-0000-0000-000000000000', 0]]]) {
      const reply = await alice().get(`${API}/models`, { 'x-mreg-consistency': Buffer.from(JSON.stringify(forged)).toString('base64url') });
      expectError(reply, 400, 'INVALID_ARGUMENT');
    }
  });

  it('ignores a client-chosen correlation id that is not one, and keeps a valid one', async () => {
    const name = uniqueName('corr');
    expectStatus(await alice().request('POST', `${API}/models`, { json: { name }, headers: { 'x-correlation-id': 'trace-1234' } }), 201);
    expectStatus(await alice().request('PATCH', modelPath(name), { json: { description: 'x' }, headers: { 'x-correlation-id': 'bad id with spaces' } }), 200);
    const history = await historyOf(alice(), name);
    expect(history[0]?.correlationId).toBe('trace-1234');
    expect(history.at(-1)?.correlationId).not.toBe('bad id with spaces');
  });
});

scenario('hostile input: deeply nested JSON', (client) => {
  it('refuses bodies nested deeper than 32 levels with 400, never a 500', async () => {
    const alice = client().as('alice');
    const name = uniqueName('deep');
    const deepArray = `{"name":"${name}","tags":${'['.repeat(5000)}${']'.repeat(5000)}}`;
    const a = await alice.request('POST', `${API}/models`, { json: deepArray });
    expect({ status: a.status, code: (a.body as { error?: { code?: string } }).error?.code }).toEqual({ status: 400, code: 'INVALID_ARGUMENT' });
    expect((await alice.get(`${API}/models/${name}`)).status).toBe(404);
    expect((await alice.post(`${API}/models`, { name })).status).toBe(201);
    const deepObject = `{"signature":${'{"a":'.repeat(2000)}1${'}'.repeat(2000)}}`;
    const v = await alice.request('POST', `${API}/models/${name}/versions`, { json: deepObject });
    expect({ status: v.status, code: (v.body as { error?: { code?: string } }).error?.code }).toEqual({ status: 400, code: 'INVALID_ARGUMENT' });
    expect((await alice.get(`${API}/models/${name}/versions/1`)).status).toBe(404);
    // A signature of ordinary depth is fine.
    const ok = await alice.post(`${API}/models/${name}/versions`, { signature: { inputs: [{ name: 'x', type: 'double', shape: [-1, 3] }] } });
    expect(ok.status).toBe(201);
  });
});

scenario('hostile input: nulls and oversized requests', (client, target) => {
  it('refuses null for optional fields instead of storing it', async () => {
    const alice = client().as('alice');
    const name = uniqueName('nulls');
    expect((await alice.post(`${API}/models`, { name, description: 'kept' })).status).toBe(201);
    const patch = await alice.patch(`${API}/models/${name}`, { description: null });
    expect(patch.status).toBe(400);
    expect((await alice.get<ModelBody>(`${API}/models/${name}`)).body.description).toBe('kept');
    expect((await alice.post(`${API}/models`, { name: uniqueName('nulls'), tags: null })).status).toBe(400);
    expect((await alice.post(`${API}/models/${name}/versions`, { lineage: null })).status).toBe(400);
  });

  it('answers a URL over the header limit with a JSON 431', async () => {
    const reply = await rawRequest(target(), 'GET', `${API}/models/${'a'.repeat(20000)}`, { user: 'alice' });
    expect(reply.status).toBe(431);
    expect(JSON.parse(reply.text)).toMatchObject({ error: { code: 'INVALID_ARGUMENT' } });
  });
});
