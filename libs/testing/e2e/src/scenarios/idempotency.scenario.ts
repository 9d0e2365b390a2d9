import { randomUUID } from 'node:crypto';
import { scenario } from '../scenarios';
import { uniqueName } from '../registry-client';
import { API, createModel, expectError, expectStatus, historyOf, modelPath, versionPath } from '../fixtures';
import type { ModelBody, VersionBody } from '../fixtures';

// Issue 8: a client that retries a POST (its connection broke, the server answered 503) must not write twice.
// With an Idempotency-Key, a retry with the same key and body gets the first outcome and changes nothing.

scenario('idempotency keys: a retried POST gets the first outcome and writes nothing new', (client) => {
  const alice = () => client().as('alice');
  const bob = () => client().as('bob');
  const post = <T>(who: ReturnType<typeof alice>, path: string, json: unknown, key: string) => who.request<T>('POST', path, { json, headers: { 'idempotency-key': key } });

  it('answers a retried model registration with the first 201, and registers one model', async () => {
    const name = uniqueName('idem');
    const key = randomUUID();
    const first = await post<ModelBody>(alice(), `${API}/models`, { name, description: 'x' }, key);
    expectStatus(first, 201);
    const retry = await post<ModelBody>(alice(), `${API}/models`, { name, description: 'x' }, key);
    expectStatus(retry, 201);
    expect(retry.body).toEqual(first.body);
    expect(retry.headers.get('idempotent-replayed')).toBe('true');
    expect((await historyOf(alice(), name)).map((e) => e.type)).toEqual(['ModelNameReserved', 'ModelRegistered', 'ModelAccessGranted']);
  });

  it('creates one version however often a version registration is retried', async () => {
    const name = uniqueName('idem');
    await createModel(alice(), name);
    const key = randomUUID();
    const replies = [];
    for (let i = 0; i < 3; i++) replies.push(await post<VersionBody>(alice(), `${modelPath(name)}/versions`, { description: 'retrained' }, key));
    for (const reply of replies) {
      expectStatus(reply, 201);
      expect(reply.body.version).toBe(1);
    }
    expectStatus(await alice().get(versionPath(name, 1)), 200);
    expectError(await alice().get(versionPath(name, 2)), 404, 'NOT_FOUND');
    // A new key is a new request.
    expect((await post<VersionBody>(alice(), `${modelPath(name)}/versions`, { description: 'retrained' }, randomUUID())).body.version).toBe(2);
  });

  it('refuses the same key for another request with 422, and changes nothing', async () => {
    const name = uniqueName('idem');
    await createModel(alice(), name);
    const key = randomUUID();
    expectStatus(await post(alice(), `${modelPath(name)}/versions`, { description: 'a' }, key), 201);
    expectError(await post(alice(), `${modelPath(name)}/versions`, { description: 'b' }, key), 422, 'IDEMPOTENCY_MISMATCH');
    expectError(await post(alice(), `${API}/models`, { name: uniqueName('idem') }, key), 422, 'IDEMPOTENCY_MISMATCH');
    expectError(await alice().get(versionPath(name, 2)), 404, 'NOT_FOUND');
  });

  it('keeps keys per user, replays a refusal as it was, and refuses malformed keys', async () => {
    const name = uniqueName('idem');
    await createModel(alice(), name);
    const key = randomUUID();
    expectStatus(await post(alice(), `${modelPath(name)}/versions`, {}, key), 201);
    // Bob's request with the same key is his own: it runs.
    const bobs = await post<VersionBody>(bob(), `${modelPath(name)}/versions`, {}, key);
    expect(bobs.status === 201 || bobs.status === 403).toBe(true);
    // A client error is the outcome too: the retry gets it again.
    const refusal = randomUUID();
    const bad = await post(alice(), `${API}/models`, { name: '../bad' }, refusal);
    expectError(bad, 400, 'INVALID_ARGUMENT');
    const again = await post(alice(), `${API}/models`, { name: '../bad' }, refusal);
    expect(again.body).toEqual(bad.body);
    for (const malformed of ['', 'x'.repeat(256), 'with space', 'naïve']) {
      expectError(await alice().request('POST', `${modelPath(name)}/versions`, { json: {}, headers: { 'idempotency-key': malformed } }), 400, 'INVALID_ARGUMENT');
    }
  });
});
