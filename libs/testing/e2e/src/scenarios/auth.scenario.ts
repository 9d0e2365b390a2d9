import { scenario } from '../scenarios';
import { uniqueName } from '../registry-client';
import type { RegistryClient } from '../registry-client';
import { rawRequest } from '../raw-http';
import { API, createModel, createVersion, expectError, expectStatus, getModel, historyOf, modelPath, requestTransition, versionPath } from '../fixtures';
import type { ManifestBody, ModelBody, TransitionBody } from '../fixtures';

interface Route {
  readonly method: string;
  readonly path: string;
  readonly json?: unknown;
  readonly bytes?: Buffer;
}

scenario('auth: tokens, roles, public routes, recorded actors', (client, target) => {
  const alice = () => client().as('alice');
  let name = '';
  let transitionId = '';

  beforeAll(async () => {
    name = uniqueName('guarded');
    await createModel(alice(), name, { tags: { keep: 'me' } });
    await createVersion(alice(), name, { tags: { keep: 'me' } });
    expectStatus(await alice().put(`${modelPath(name)}/aliases/existing`, { version: 1 }), 200);
    transitionId = (await requestTransition(alice(), name, 1, 'staging')).id;
  });

  const writeRoutes = (): Route[] => [
    { method: 'POST', path: `${API}/models`, json: { name: uniqueName('intruder') } },
    { method: 'PATCH', path: modelPath(name), json: { description: 'defaced' } },
    { method: 'DELETE', path: modelPath(name) },
    { method: 'POST', path: `${modelPath(name)}/rename`, json: { newName: uniqueName('stolen') } },
    { method: 'PUT', path: `${modelPath(name)}/tags/owner`, json: { value: 'carol' } },
    { method: 'DELETE', path: `${modelPath(name)}/tags/keep` },
    { method: 'POST', path: `${modelPath(name)}/versions`, json: {} },
    { method: 'PATCH', path: versionPath(name, 1), json: { description: 'defaced' } },
    { method: 'DELETE', path: versionPath(name, 1) },
    { method: 'PUT', path: `${versionPath(name, 1)}/tags/owner`, json: { value: 'carol' } },
    { method: 'DELETE', path: `${versionPath(name, 1)}/tags/keep` },
    { method: 'PUT', path: `${modelPath(name)}/aliases/champion`, json: { version: 1 } },
    { method: 'DELETE', path: `${modelPath(name)}/aliases/existing` },
    { method: 'PUT', path: `${versionPath(name, 1)}/artifacts/planted.bin`, bytes: Buffer.from('planted') },
    { method: 'POST', path: `${versionPath(name, 1)}/transitions`, json: { stage: 'archived' } },
    { method: 'POST', path: `${API}/transitions/${transitionId}/approve`, json: {} },
    { method: 'POST', path: `${API}/transitions/${transitionId}/reject`, json: {} },
    { method: 'POST', path: `${API}/transitions/${transitionId}/cancel`, json: {} },
    { method: 'PUT', path: `${modelPath(name)}/policy`, json: { production: { requiredApprovals: 0, approverRole: 'approver' } } },
  ];
  const readRoutes = (): Route[] => [
    { method: 'GET', path: `${API}/models` },
    { method: 'GET', path: modelPath(name) },
    { method: 'GET', path: `${modelPath(name)}/versions` },
    { method: 'GET', path: versionPath(name, 1) },
    { method: 'GET', path: `${API}/versions` },
    { method: 'GET', path: `${modelPath(name)}/aliases/existing` },
    { method: 'GET', path: `${modelPath(name)}/history` },
    { method: 'GET', path: `${versionPath(name, 1)}/history` },
    { method: 'GET', path: `${versionPath(name, 1)}/provenance` },
    { method: 'GET', path: `${modelPath(name)}/integrity` },
    { method: 'GET', path: `${modelPath(name)}/policy` },
    { method: 'GET', path: `${versionPath(name, 1)}/artifacts` },
    { method: 'GET', path: `${API}/transitions` },
    { method: 'GET', path: `${API}/transitions/${transitionId}` },
  ];

  const send = (c: RegistryClient, route: Route, headers: Record<string, string> = {}) =>
    c.request(route.method, route.path, route.bytes ? { body: route.bytes, headers: { 'content-type': 'application/octet-stream', ...headers } } : route.json === undefined ? { headers } : { json: route.json, headers });

  /** Everything observable about the model, to prove refused requests changed nothing. */
  const snapshot = async () => ({
    model: await getModel(alice(), name),
    history: (await historyOf(alice(), name)).map((e) => e.eventId),
    version: (await alice().get(versionPath(name, 1))).body,
    artifacts: (await alice().get<ManifestBody>(`${versionPath(name, 1)}/artifacts`)).body,
    transition: (await alice().get<TransitionBody>(`${API}/transitions/${transitionId}`)).body,
    policy: (await alice().get(`${modelPath(name)}/policy`)).body,
  });

  it('answers 401 UNAUTHENTICATED to every route without a token, and changes nothing', async () => {
    const before = await snapshot();
    for (const route of [...readRoutes(), ...writeRoutes()]) {
      const reply = await send(client().anonymous(), route);
      expect({ route: `${route.method} ${route.path}`, status: reply.status }).toEqual({ route: `${route.method} ${route.path}`, status: 401 });
      expectError(reply, 401, 'UNAUTHENTICATED');
    }
    expect(await snapshot()).toEqual(before);
  });

  it('accepts Basic <user>:<token> as the same principal as the bearer token', async () => {
    const basic = `Basic ${Buffer.from(`alice:${client().tokenOf('alice')}`).toString('base64')}`;
    const reply = await client()
      .anonymous()
      .request('PUT', `${modelPath(name)}/tags/basic-auth`, { json: { value: 'yes' }, headers: { authorization: basic } });
    expectStatus(reply, 200);
    const history = await historyOf(alice(), name);
    expect(history.at(-1)).toMatchObject({ type: 'ModelTagSet', actor: 'alice' });
    expectStatus(await alice().delete(`${modelPath(name)}/tags/basic-auth`), 204);
  });

  it.each([
    ['an unknown token', 'Bearer not-a-real-token-0123456789abcdef'],
    ['an almost right token', `Bearer ${'alice-token-0123456789abcdeX'}`],
    ['the token without a scheme', 'alice-token-0123456789abcdef'],
    // Basic credentials carry a user and that user's token (MLflow's client sends them so); anything else is refused.
    ['Basic credentials of another user', `Basic ${Buffer.from('bob:alice-token-0123456789abcdef').toString('base64')}`],
    ['Basic credentials with a password that is no token', `Basic ${Buffer.from('alice:secret').toString('base64')}`],
    ['Basic credentials without a user', `Basic ${Buffer.from(':alice-token-0123456789abcdef').toString('base64')}`],
    ['an empty bearer', 'Bearer '],
    ['the word Bearer', 'Bearer'],
    ['two tokens', 'Bearer alice-token-0123456789abcdef alice-token-0123456789abcdef'],
    ['a token of 600 characters', `Bearer ${'x'.repeat(600)}`],
  ])('answers 401 for %s', async (_label, authorization) => {
    const before = await getModel(alice(), name);
    for (const route of [readRoutes()[1], writeRoutes()[1]]) {
      if (!route) continue;
      expectError(await send(client().anonymous(), route, { authorization }), 401, 'UNAUTHENTICATED');
    }
    expect(await getModel(alice(), name)).toEqual(before);
  });

  it('answers 401 to a token sent with odd characters in the header', async () => {
    const reply = await rawRequest(target(), 'GET', `${API}/models`, { headers: { authorization: 'Bearer \u00ff\u00fe' } });
    expectError(reply, 401, 'UNAUTHENTICATED');
  });

  it('lets a reader read everything but write nothing (403 PERMISSION_DENIED on every write route)', async () => {
    const carol = client().as('carol');
    for (const route of readRoutes()) {
      const reply = await send(carol, route);
      expect({ route: `${route.method} ${route.path}`, status: reply.status }).toEqual({ route: `${route.method} ${route.path}`, status: 200 });
    }
    const before = await snapshot();
    for (const route of writeRoutes()) {
      const reply = await send(carol, route);
      expect({ route: `${route.method} ${route.path}`, status: reply.status }).toEqual({ route: `${route.method} ${route.path}`, status: 403 });
      expectError(reply, 403, 'PERMISSION_DENIED');
    }
    expect(await snapshot()).toEqual(before);
  });

  it('lets an approver approve but not register (403)', async () => {
    const bob = client().as('bob');
    expectError(await bob.post(`${API}/models`, { name: uniqueName('bobs') }), 403, 'PERMISSION_DENIED');
    expectError(await bob.post(`${modelPath(name)}/versions`, {}), 403, 'PERMISSION_DENIED');
    expectError(await bob.post(`${versionPath(name, 1)}/transitions`, { stage: 'archived' }), 403, 'PERMISSION_DENIED');
  });

  it('serves health, readiness, the OpenAPI document and the docs UI without a token', async () => {
    const anonymous = client().anonymous();
    const health = await anonymous.get('/health');
    expectStatus(health, 200);
    expect(health.body).toEqual({ status: 'ok' });
    expectStatus(await anonymous.get('/ready'), 200);
    // A bad token does not break a public route.
    expectStatus(await anonymous.get('/health', { authorization: 'Bearer nonsense' }), 200);

    const openapi = await anonymous.get<{ openapi: string; paths: Record<string, unknown>; components: { securitySchemes?: Record<string, unknown> } }>('/api/openapi.json');
    expectStatus(openapi, 200);
    expect(openapi.headers.get('content-type')).toMatch(/^application\/json/);
    expect(openapi.body.openapi).toMatch(/^3\./);
    expect(Object.keys(openapi.body.paths)).toEqual(expect.arrayContaining(['/api/v1/models', '/api/v1/models/{name}', '/api/v1/models/{name}/versions', '/api/v1/transitions/{id}/approve']));
    expect(openapi.body.components.securitySchemes).toBeDefined();

    const docs = await anonymous.get('/api/docs');
    expectStatus(docs, 200);
    expect(docs.headers.get('content-type')).toMatch(/^text\/html/);
    expect(docs.text).toMatch(/swagger/i);
  });

  it('records the authenticated user as the actor of every write, never a name from the body', async () => {
    const own = uniqueName('actors');
    const created = await client().as('dave').post<ModelBody>(`${API}/models`, { name: own });
    expectStatus(created, 201);
    expect(created.body.createdBy).toBe('dave');
    expectStatus(
      await client()
        .as('dave')
        .put(`${modelPath(own)}/access/grants`, { subject: 'user:alice', permission: 'write' }),
      200,
    );
    // An "actor" in the body is an unknown field, not an identity.
    expectError(await alice().patch(modelPath(own), { description: 'x', actor: 'bob' }), 400, 'INVALID_ARGUMENT');
    expectStatus(await alice().patch(modelPath(own), { description: 'by alice' }), 200);
    const adminTag = await client()
      .as('admin')
      .put<ModelBody>(`${modelPath(own)}/tags/audited`, { value: 'yes' });
    expectStatus(adminTag, 200);
    expect(adminTag.body.updatedBy).toBe('root');
    const actors = (await historyOf(alice(), own)).map((e) => [e.type, e.actor]);
    expect(actors).toEqual([
      ['ModelNameReserved', 'dave'],
      ['ModelRegistered', 'dave'],
      ['ModelAccessGranted', 'dave'],
      ['ModelAccessGranted', 'dave'],
      ['ModelDescriptionChanged', 'alice'],
      ['ModelTagSet', 'root'],
    ]);
  });
});

scenario('health and readiness', (client) => {
  it('answers /health and /ready without a token once the stores answer', async () => {
    const anonymous = client().anonymous();
    expect((await anonymous.get('/health')).status).toBe(200);
    const ready = await anonymous.get('/ready');
    expect(ready.status).toBe(200);
    expect(ready.body).toMatchObject({ status: expect.stringMatching(/ready|ok/) as unknown });
  });
});
