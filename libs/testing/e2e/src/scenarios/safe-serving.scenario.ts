import { scenario } from '../scenarios';
import { uniqueName } from '../registry-client';
import { rawRequest } from '../raw-http';
import { API, createModel, createVersion, expectError, expectStatus, modelPath, versionPath } from '../fixtures';
import type { ArtifactBody } from '../fixtures';

// What the registry sends back must be safe to open in a browser, and a browser page elsewhere must not be able
// to write through a signed-in user.

scenario('safe serving: security headers, artifacts as attachments, no foreign-origin writes, 405 for TRACE', (client, target) => {
  const alice = () => client().as('alice');

  const versionWithArtifact = async (path: string, contentType: string, bytes: Buffer) => {
    const name = uniqueName('serve');
    await createModel(alice(), name);
    await createVersion(alice(), name);
    const up = await alice().request<ArtifactBody>('PUT', `${versionPath(name, 1)}/artifacts/${path}`, { body: bytes, headers: { 'content-type': contentType } });
    expectStatus(up, 201);
    return name;
  };

  it.each([
    ['page.html', 'text/html'],
    ['image.svg', 'image/svg+xml'],
    ['feed.xml', 'application/xml'],
    ['code.js', 'text/javascript'],
  ])('serves %s (uploaded as %s) as bytes to save, never as a page', async (path, contentType) => {
    const name = await versionWithArtifact(path, contentType, Buffer.from('<script>alert(document.domain)</script>'));
    const got = await rawRequest(target(), 'GET', `${versionPath(name, 1)}/artifacts/${path}`, { user: 'alice' });
    expectStatus(got, 200);
    expect(got.headers['content-type']).toBe('application/octet-stream');
    expect(got.headers['x-content-type-options']).toBe('nosniff');
    expect(got.headers['content-disposition']).toBe(`attachment; filename="${path}"; filename*=UTF-8''${path}`);
    expect(got.headers['content-security-policy']).toContain("default-src 'none'");
    // The manifest keeps what the uploader declared.
    const manifest = await alice().get<{ items?: ArtifactBody[]; artifacts?: ArtifactBody[] }>(`${versionPath(name, 1)}/artifacts`);
    expect(JSON.stringify(manifest.body)).toContain(contentType);
  });

  it('names a non-ASCII file safely in Content-Disposition', async () => {
    const name = await versionWithArtifact('modèle.bin', 'application/octet-stream', Buffer.from('x'));
    const got = await rawRequest(target(), 'GET', `${versionPath(name, 1)}/artifacts/mod%C3%A8le.bin`, { user: 'alice' });
    expectStatus(got, 200);
    expect(got.headers['content-disposition']).toBe(`attachment; filename="mod_le.bin"; filename*=UTF-8''mod%C3%A8le.bin`);
  });

  it('puts security headers on every response: success, error, health and the docs page', async () => {
    for (const [path, user] of [
      [`${API}/models`, 'alice'],
      [`${API}/models/${uniqueName('missing')}`, 'alice'],
      [`${API}/models`, undefined],
      ['/health', undefined],
      ['/no/such/route', 'alice'],
    ] as const) {
      const reply = await rawRequest(target(), 'GET', path, user ? { user } : {});
      expect({ path, nosniff: reply.headers['x-content-type-options'] }).toEqual({ path, nosniff: 'nosniff' });
      expect(reply.headers['content-security-policy']).toContain("frame-ancestors 'none'");
      expect(reply.headers['referrer-policy']).toBe('no-referrer');
      expect(reply.headers['x-frame-options']).toBe('DENY');
    }
    const docs = await rawRequest(target(), 'GET', '/api/docs/', {});
    expect(docs.status).toBeLessThan(400);
    expect(docs.headers['content-security-policy']).toContain("script-src 'self'");
    expect(docs.headers['content-security-policy']).toContain("frame-ancestors 'none'");
  });

  // Methods HTTP parsers know but the registry does not speak (unknown tokens never reach a route: Node answers 400).
  it.each([['TRACE'], ['PROPFIND'], ['PURGE']])('answers %s with 405 and the allowed methods', async (method) => {
    for (const path of [`${API}/models`, '/health', '/api/2.0/mlflow/registered-models/search']) {
      const reply = await rawRequest(target(), method, path, { user: 'alice' });
      expect({ method, path, status: reply.status }).toEqual({ method, path, status: 405 });
      expect(reply.headers['allow']).toContain('GET');
    }
  });

  describe('writes from another origin', () => {
    const postModel = (name: string, origin?: string) => rawRequest(target(), 'POST', `${API}/models`, { user: 'alice', body: JSON.stringify({ name }), headers: { 'content-type': 'application/json', ...(origin ? { origin } : {}) } });

    it('refuses a write carrying a foreign Origin with 403, and creates nothing', async () => {
      for (const origin of ['https://evil.example', 'null', 'http://127.0.0.1.evil.example']) {
        const name = uniqueName('csrf');
        expectError(await postModel(name, origin), 403, 'PERMISSION_DENIED');
        expectStatus(await alice().get(modelPath(name)), 404);
      }
    });

    it("accepts writes from the registry's own origin and from clients that send no Origin", async () => {
      const own = new URL(target().url).origin;
      const first = uniqueName('origin');
      expectStatus(await postModel(first, own), 201);
      const second = uniqueName('origin');
      expectStatus(await postModel(second), 201);
    });

    it('lets reads through whatever the Origin', async () => {
      const reply = await rawRequest(target(), 'GET', `${API}/models`, { user: 'alice', headers: { origin: 'https://evil.example' } });
      expectStatus(reply, 200);
    });
  });
});
