import { scenario } from '../scenarios';
import { uniqueName } from '../registry-client';
import type { RegistryClient, Reply } from '../registry-client';
import { API, expectStatus, modelPath, query, versionPath } from '../fixtures';
import type { ManifestBody, ModelBody, Page, TransitionBody, VersionBody } from '../fixtures';

// Every write is visible to the very next read of the same client, in item reads and in lists, with no waiting
// on the client's side. A write answers with a consistency token (X-Mreg-Consistency); a read presenting it
// is answered only once the read models have caught up, so this holds however the registry is deployed.

scenario('read-your-writes: each write is visible to the next read, item and list', (client) => {
  const CONSISTENCY = 'x-mreg-consistency';

  /** A client that keeps the token of its latest write and presents it on its reads. */
  class Session {
    private token: string | undefined;
    constructor(private readonly c: RegistryClient) {}

    async write<T>(method: string, path: string, options: { json?: unknown; body?: Buffer } = {}): Promise<Reply<T>> {
      const reply = await this.c.request<T>(method, path, options.body ? { body: options.body, headers: { 'content-type': 'application/octet-stream' } } : options.json === undefined ? {} : { json: options.json });
      expect(reply.status).toBeLessThan(300);
      const token = reply.headers.get(CONSISTENCY);
      expect(token).toMatch(/^[A-Za-z0-9_-]+$/);
      expect(reply.headers.get('x-mreg-consistency-pending')).toBeNull();
      this.token = token ?? undefined;
      return reply;
    }

    async read<T>(path: string): Promise<T> {
      const reply = await this.c.get<T>(path, this.token ? { [CONSISTENCY]: this.token } : undefined);
      expectStatus(reply, 200);
      return reply.body;
    }

    /** The same read without the token: the write already waited for the read models before answering. */
    async plainRead<T>(path: string): Promise<T> {
      const reply = await this.c.get<T>(path);
      expectStatus(reply, 200);
      return reply.body;
    }

    async both<T>(path: string, check: (body: T) => void): Promise<void> {
      check(await this.read<T>(path));
      check(await this.plainRead<T>(path));
    }
  }

  it('shows every write of a model lifecycle to the next read', async () => {
    const alice = new Session(client().as('alice'));
    const bob = new Session(client().as('bob'));
    const name = uniqueName('ryw');
    const renamed = uniqueName('ryw-renamed');
    const list = (filter: string) => `${API}/models${query({ filter })}`;
    const versions = (filter: string) => `${API}/versions${query({ filter })}`;

    await alice.write('POST', `${API}/models`, { json: { name, tags: { team: 'a' } } });
    await alice.both<ModelBody>(modelPath(name), (m) => expect(m.name).toBe(name));
    await alice.both<Page<ModelBody>>(list(`name = '${name}'`), (p) => expect(p.items.map((m) => m.name)).toEqual([name]));

    await alice.write('PATCH', modelPath(name), { json: { description: 'described' } });
    await alice.both<ModelBody>(modelPath(name), (m) => expect(m.description).toBe('described'));
    await alice.both<Page<ModelBody>>(list(`name = '${name}' AND description = 'described'`), (p) => expect(p.items).toHaveLength(1));

    await alice.write('PUT', `${modelPath(name)}/tags/team`, { json: { value: 'b' } });
    await alice.both<ModelBody>(modelPath(name), (m) => expect(m.tags).toEqual({ team: 'b' }));
    await alice.both<Page<ModelBody>>(list(`name = '${name}' AND tags.team = 'b'`), (p) => expect(p.items).toHaveLength(1));

    await alice.write('DELETE', `${modelPath(name)}/tags/team`);
    await alice.both<ModelBody>(modelPath(name), (m) => expect(m.tags).toEqual({}));
    await alice.both<Page<ModelBody>>(list(`name = '${name}' AND tags.team = 'b'`), (p) => expect(p.items).toHaveLength(0));

    for (const n of [1, 2]) {
      await alice.write('POST', `${modelPath(name)}/versions`, { json: { metrics: { auc: 0.9 + n / 100 } } });
      await alice.both<VersionBody>(versionPath(name, n), (v) => expect(v.version).toBe(n));
      await alice.both<Page<VersionBody>>(`${modelPath(name)}/versions`, (p) => expect(p.items.map((v) => v.version)).toEqual(n === 1 ? [1] : [2, 1]));
      await alice.both<Page<VersionBody>>(versions(`model = '${name}'`), (p) => expect(p.items).toHaveLength(n));
      await alice.both<ModelBody>(modelPath(name), (m) => expect(m).toMatchObject({ latestVersion: n, versionCount: n }));
    }

    await alice.write('PATCH', versionPath(name, 1), { json: { description: 'v1' } });
    await alice.both<VersionBody>(versionPath(name, 1), (v) => expect(v.description).toBe('v1'));
    await alice.write('PUT', `${versionPath(name, 1)}/tags/validated`, { json: { value: 'yes' } });
    await alice.both<Page<VersionBody>>(versions(`model = '${name}' AND tags.validated = 'yes'`), (p) => expect(p.items.map((v) => v.version)).toEqual([1]));

    await alice.write('PUT', `${modelPath(name)}/aliases/champion`, { json: { version: 1 } });
    await alice.both<{ version: VersionBody }>(`${modelPath(name)}/aliases/champion`, (a) => expect(a.version.version).toBe(1));
    await alice.both<VersionBody>(versionPath(name, 1), (v) => expect(v.aliases).toEqual(['champion']));
    await alice.write('PUT', `${modelPath(name)}/aliases/champion`, { json: { version: 2 } });
    await alice.both<VersionBody>(versionPath(name, 1), (v) => expect(v.aliases).toEqual([]));
    await alice.both<ModelBody>(modelPath(name), (m) => expect(m.aliases).toEqual({ champion: 2 }));

    await alice.write('PUT', `${versionPath(name, 1)}/artifacts/model.bin`, { body: Buffer.from('bytes') });
    await alice.both<ManifestBody>(`${versionPath(name, 1)}/artifacts`, (m) => expect(m.items.map((i) => i.path)).toEqual(['model.bin']));
    await alice.both<VersionBody>(versionPath(name, 1), (v) => expect(v.artifacts).toEqual({ count: 1, totalBytes: 5, sealed: false }));

    const requested = await alice.write<TransitionBody>('POST', `${versionPath(name, 1)}/transitions`, { json: { stage: 'staging' } });
    const id = requested.body.id;
    await alice.both<TransitionBody>(`${API}/transitions/${id}`, (t) => expect(t.status).toBe('pending'));
    await alice.both<Page<TransitionBody>>(`${API}/transitions${query({ status: 'pending', model: name })}`, (p) => expect(p.items.map((t) => t.id)).toEqual([id]));

    await bob.write('POST', `${API}/transitions/${id}/approve`, { json: {} });
    await bob.both<TransitionBody>(`${API}/transitions/${id}`, (t) => expect(t.status).toBe('applied'));
    await bob.both<VersionBody>(versionPath(name, 1), (v) => expect(v.stage).toBe('staging'));
    await bob.both<Page<VersionBody>>(versions(`model = '${name}' AND stage = 'staging'`), (p) => expect(p.items.map((v) => v.version)).toEqual([1]));
    await bob.both<Page<TransitionBody>>(`${API}/transitions${query({ status: 'pending', model: name })}`, (p) => expect(p.items).toEqual([]));

    await alice.write('POST', `${versionPath(name, 2)}/transitions`, { json: { stage: 'archived' } });
    await alice.both<VersionBody>(versionPath(name, 2), (v) => expect(v.stage).toBe('archived'));
    // The version is free for its next request at once.
    await alice.write('POST', `${versionPath(name, 2)}/transitions`, { json: { stage: 'development' } });
    await alice.both<VersionBody>(versionPath(name, 2), (v) => expect(v.stage).toBe('development'));

    await alice.write('DELETE', versionPath(name, 2));
    await alice.both<Page<VersionBody>>(`${modelPath(name)}/versions`, (p) => expect(p.items.map((v) => v.version)).toEqual([1]));
    await alice.both<ModelBody>(modelPath(name), (m) => expect(m).toMatchObject({ versionCount: 1, aliases: {} }));

    await alice.write('POST', `${modelPath(name)}/rename`, { json: { newName: renamed } });
    await alice.both<ModelBody>(modelPath(renamed), (m) => expect(m.name).toBe(renamed));
    await alice.both<Page<ModelBody>>(list(`name IN ('${name}', '${renamed}')`), (p) => expect(p.items.map((m) => m.name)).toEqual([renamed]));
    await alice.both<VersionBody>(versionPath(renamed, 1), (v) => expect(v.model).toBe(renamed));
    await alice.both<Page<VersionBody>>(versions(`model = '${renamed}'`), (p) => expect(p.items).toHaveLength(1));

    await alice.write('POST', `${versionPath(renamed, 1)}/transitions`, { json: { stage: 'archived' } });
    await alice.write('DELETE', modelPath(renamed));
    await alice.both<Page<ModelBody>>(list(`name = '${renamed}'`), (p) => expect(p.items).toEqual([]));
    await alice.both<Page<VersionBody>>(versions(`model = '${renamed}'`), (p) => expect(p.items).toEqual([]));
    const gone = await client().as('alice').get(modelPath(renamed));
    expect(gone.status).toBe(404);
  });

  it('lets a version take its next request as soon as the previous one was answered, many times over', async () => {
    const alice = client().as('alice');
    const name = uniqueName('ryw-cycle');
    expectStatus(await alice.post(`${API}/models`, { name }), 201);
    expectStatus(await alice.post(`${modelPath(name)}/versions`, {}), 201);
    for (let i = 0; i < 15; i++) {
      for (const stage of ['archived', 'development']) {
        const reply = await alice.post<TransitionBody>(`${versionPath(name, 1)}/transitions`, { stage });
        expect({ round: i, stage, status: reply.status, body: reply.status === 201 ? reply.body.status : reply.body }).toEqual({ round: i, stage, status: 201, body: 'applied' });
      }
    }
    // 30 round trips; in the distributed topology each crosses Kafka several times (a bound, not a speed test).
  }, 300_000);
});
