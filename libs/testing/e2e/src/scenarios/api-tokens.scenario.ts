import { scenario } from '../scenarios';
import { uniqueName } from '../registry-client';
import type { RegistryClient, Reply } from '../registry-client';
import { API, createModel, createVersion, expectError, expectStatus, historyOf, modelPath, versionPath } from '../fixtures';
import type { ModelBody, Page } from '../fixtures';

/** An API token's metadata as `/tokens` answers it. */
interface ApiTokenBody {
  readonly id: string;
  readonly name: string;
  readonly owner: string;
  readonly roles: string[];
  readonly models: string[] | null;
  readonly createdAt: string;
  readonly createdBy: string;
  readonly expiresAt: string;
  readonly revoked: boolean;
  readonly revokedAt: string | null;
  readonly revokedBy: string | null;
}
type CreatedToken = ApiTokenBody & { readonly token: string };

const TOKENS = `${API}/tokens`;
const inDays = (days: number) => new Date(Date.now() + days * 24 * 60 * 60 * 1000).toISOString();

// API tokens for machines (decision 33), over HTTP only: in the distributed topology the token is issued by the
// governance service through the gateway, and every service — audit for reads, registration for models, artifact
// for uploads, governance for transitions — accepts it, and refuses it once revoked, each reading the log itself.
scenario('api tokens: issued by users for machines, accepted by every service, revoked everywhere at once', (client) => {
  const alice = () => client().as('alice');
  const admin = () => client().as('admin');

  /** Requests with a bearer token the cast does not hold. */
  const bearer = (token: string) => {
    const c = client().anonymous();
    const headers = { authorization: `Bearer ${token}` };
    return {
      get: <T>(path: string) => c.request<T>('GET', path, { headers }),
      post: <T>(path: string, json: unknown) => c.request<T>('POST', path, { json, headers }),
      put: <T>(path: string, bytes: Buffer) => c.request<T>('PUT', path, { body: bytes, headers: { ...headers, 'content-type': 'application/octet-stream' } }),
    };
  };
  const issue = async (c: RegistryClient, body: Record<string, unknown>): Promise<CreatedToken> => {
    const reply = await c.post<CreatedToken>(TOKENS, { name: 'ci', roles: ['contributor'], expiresAt: inDays(30), ...body });
    expectStatus(reply, 201);
    return reply.body;
  };

  /** One call to each service with the token: a read (audit), a model (registration), an upload (artifact), a transition request (governance). */
  const everyService = async (token: string, name: string): Promise<Record<string, number>> => {
    const as = bearer(token);
    const statuses = {
      read: (await as.get(`${API}/models?pageSize=1`)).status,
      register: (await as.post(`${API}/models`, { name: uniqueName('by-token') })).status,
      upload: (await as.put(`${versionPath(name, 1)}/artifacts/${uniqueName('f')}.bin`, Buffer.from('weights'))).status,
      transition: (await as.post(`${versionPath(name, 1)}/transitions`, { stage: 'staging' })).status,
      tokens: (await as.get(TOKENS)).status,
    };
    return statuses;
  };

  let name = '';
  beforeAll(async () => {
    name = uniqueName('tokens');
    await createModel(alice(), name);
    await createVersion(alice(), name);
  });

  it('issues a token once, as mreg_pat_…, with its metadata; lists and reads never show the secret', async () => {
    const created = await issue(alice(), { name: 'nightly training' });
    expect(created).toMatchObject({ name: 'nightly training', owner: 'alice', roles: ['contributor'], models: null, createdBy: 'alice', revoked: false, revokedAt: null, revokedBy: null });
    expect(created.token).toMatch(/^mreg_pat_[0-9a-f]{32}_[A-Za-z0-9_-]{43}$/);
    expect(created.token.slice(9, 41)).toBe(created.id.replaceAll('-', ''));

    const one = await alice().get<ApiTokenBody>(`${TOKENS}/${created.id}`);
    expectStatus(one, 200);
    const { token: _secret, ...metadata } = created;
    expect(one.body).toEqual(metadata);
    const listed = await alice().get<Page<ApiTokenBody>>(`${TOKENS}?pageSize=200`);
    expectStatus(listed, 200);
    expect(listed.body.items).toContainEqual(metadata);
    for (const body of [one.text, listed.text]) {
      expect(body).not.toContain(created.token.slice(42));
      expect(body).not.toMatch(/sha256|secret/i);
    }
  });

  it('is accepted by every service as its owner, with its roles (also as a Basic password)', async () => {
    const { token } = await issue(alice(), {});
    expect(await everyService(token, name)).toEqual({ read: 200, register: 201, upload: 201, transition: 201, tokens: 200 });
    const registered = await bearer(token).post<ModelBody>(`${API}/models`, { name: uniqueName('by-token') });
    expect(registered.body.createdBy).toBe('alice');
    expect((await historyOf(alice(), registered.body.name)).every((e) => e.actor === 'alice')).toBe(true);
    const basic = await client()
      .anonymous()
      .get(`${API}/models?pageSize=1`, { authorization: `Basic ${Buffer.from(`alice:${token}`).toString('base64')}` });
    expectStatus(basic, 200);
    const wrongUser = await client()
      .anonymous()
      .get(`${API}/models?pageSize=1`, { authorization: `Basic ${Buffer.from(`bob:${token}`).toString('base64')}` });
    expectError(wrongUser, 401, 'UNAUTHENTICATED');
    // Cancel the request it opened, so the revocation below can open one.
    const open = await alice().get<Page<{ id: string; status: string }>>(`${API}/transitions?model=${encodeURIComponent(name)}&status=pending`);
    for (const t of open.body.items) expectStatus(await alice().post(`${API}/transitions/${t.id}/cancel`, {}), 200);
  });

  it('acts with its roles only: a reader token reads but does not write', async () => {
    const { token } = await issue(alice(), { roles: ['reader'] });
    expectStatus(await bearer(token).get(`${API}/models?pageSize=1`), 200);
    expectError(await bearer(token).post(`${API}/models`, { name: uniqueName('nope') }), 403, 'PERMISSION_DENIED');
  });

  it('is refused by every service once revoked, at once, and records who revoked it', async () => {
    const created = await issue(alice(), {});
    const revoked = await alice().post<ApiTokenBody>(`${TOKENS}/${created.id}/revoke`, {});
    expectStatus(revoked, 200);
    expect(revoked.body).toMatchObject({ id: created.id, revoked: true, revokedBy: 'alice' });
    const before = (await historyOf(alice(), name)).length;
    const refused = await everyService(created.token, name);
    expect(refused).toEqual({ read: 401, register: 401, upload: 401, transition: 401, tokens: 401 });
    expect((await historyOf(alice(), name)).length).toBe(before);
    const after = await alice().get<ApiTokenBody>(`${TOKENS}/${created.id}`);
    expect(after.body).toMatchObject({ revoked: true, revokedBy: 'alice' });
    // Revoking again changes nothing.
    expectStatus(await alice().post(`${TOKENS}/${created.id}/revoke`), 200);
    expect((await alice().get<ApiTokenBody>(`${TOKENS}/${created.id}`)).body.revokedAt).toBe(after.body.revokedAt);
  });

  it('limits a token to models given by name (kept as their ids)', async () => {
    const model = await alice().get<ModelBody>(modelPath(name));
    const created = await issue(alice(), { roles: ['reader'], models: [name] });
    expect(created.models).toEqual([model.body.id]);
    // It reaches that model only: another one is answered as missing.
    const other = uniqueName('outside');
    await createModel(alice(), other);
    expectStatus(await bearer(created.token).get(modelPath(name)), 200);
    expectError(await bearer(created.token).get(modelPath(other)), 404, 'NOT_FOUND');
    expectError(await alice().post(TOKENS, { name: 'x', roles: ['reader'], expiresAt: inDays(1), models: [uniqueName('no-such-model')] }), 404, 'NOT_FOUND');
  });

  it("reaches what its owner is granted, not what the owner's groups are (memberships live with the identity)", async () => {
    const erin = () => client().as('erin'); // group risk-team
    const teamModel = uniqueName('team-only');
    await createModel(alice(), teamModel);
    expectStatus(await alice().put(`${modelPath(teamModel)}/access/visibility`, { visibility: 'private' }), 200);
    expectStatus(await alice().put(`${modelPath(teamModel)}/access/grants`, { subject: 'group:risk-team', permission: 'read' }), 200);
    expectStatus(await erin().get(modelPath(teamModel)), 200);
    const own = await issue(erin(), { roles: ['reader'] });
    expectError(await bearer(own.token).get(modelPath(teamModel)), 404, 'NOT_FOUND');
    expectStatus(await alice().put(`${modelPath(teamModel)}/access/grants`, { subject: 'user:erin', permission: 'read' }), 200);
    expectStatus(await bearer(own.token).get(modelPath(teamModel)), 200);
  });

  it('never holds more than its issuer: no other roles, no other owner, unless an admin issues it', async () => {
    expectError(await alice().post(TOKENS, { name: 'x', roles: ['approver'], expiresAt: inDays(1) }), 403, 'PERMISSION_DENIED');
    expectError(await alice().post(TOKENS, { name: 'x', roles: ['contributor'], expiresAt: inDays(1), owner: 'bob' }), 403, 'PERMISSION_DENIED');
    const forBob = await issue(admin(), { name: 'release bot', roles: ['approver'], owner: 'bob' });
    expect(forBob).toMatchObject({ owner: 'bob', roles: ['approver'], createdBy: 'root' });
    expectStatus(await bearer(forBob.token).get(`${API}/transitions`), 200);
    // Bob's token is Bob's and the admins' business: Alice neither sees nor revokes it.
    expectError(await alice().get(`${TOKENS}/${forBob.id}`), 404, 'NOT_FOUND');
    expectError(await alice().post(`${TOKENS}/${forBob.id}/revoke`, {}), 404, 'NOT_FOUND');
    expectError(await alice().get(`${TOKENS}?owner=bob`), 403, 'PERMISSION_DENIED');
    const bobs = await admin().get<Page<ApiTokenBody>>(`${TOKENS}?owner=bob&pageSize=200`);
    expect(bobs.body.items.map((t) => t.id)).toContain(forBob.id);
    expect(bobs.body.items.every((t) => t.owner === 'bob')).toBe(true);
    expectStatus(await client().as('bob').get(`${TOKENS}/${forBob.id}`), 200);
    expectStatus(await admin().post(`${TOKENS}/${forBob.id}/revoke`, {}), 200);
    expectError(await bearer(forBob.token).get(`${API}/transitions`), 401, 'UNAUTHENTICATED');
  });

  it('needs a name, roles and an expiry (400) in the future and within a year (409), and refuses ids that are no token (404)', async () => {
    for (const body of [
      { roles: ['reader'], expiresAt: inDays(1) },
      { name: 'x', roles: [], expiresAt: inDays(1) },
      { name: 'x', roles: ['owner'], expiresAt: inDays(1) },
      { name: 'x', roles: ['reader'] },
      { name: 'x', roles: ['reader'], expiresAt: 'tomorrow' },
      { name: 'x', roles: ['reader'], expiresAt: inDays(1), secretSha256: 'ab'.repeat(32) },
    ]) {
      expectError(await alice().post(TOKENS, body), 400, 'INVALID_ARGUMENT');
    }
    // Well-formed, but not now: in the past, or more than a year ahead.
    for (const expiresAt of [inDays(-1), inDays(400)]) expectError(await alice().post(TOKENS, { name: 'x', roles: ['reader'], expiresAt }), 409, 'FAILED_PRECONDITION');
    expectError(await alice().get(`${TOKENS}/not-a-token`), 404, 'NOT_FOUND');
    expectError(await alice().post(`${TOKENS}/0f7d5f0e-3c1a-4d2b-9a57-2f5e8c1b7a10/revoke`, {}), 404, 'NOT_FOUND');
  });

  it('is refused when made up, or with its secret changed', async () => {
    const { token } = await issue(alice(), {});
    const changed = `${token.slice(0, -1)}${token.endsWith('A') ? 'B' : 'A'}`;
    const reply: Reply<unknown> = await bearer(changed).get(`${API}/models?pageSize=1`);
    expectError(reply, 401, 'UNAUTHENTICATED');
    expectError(await bearer(`mreg_pat_${'0'.repeat(32)}_${'A'.repeat(43)}`).get(`${API}/models?pageSize=1`), 401, 'UNAUTHENTICATED');
  });
});
