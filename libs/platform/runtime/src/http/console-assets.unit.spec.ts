import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { createServer, request } from 'node:http';
import type { Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { brotliCompressSync, brotliDecompressSync, gunzipSync, gzipSync } from 'node:zlib';
import { CONSOLE_CSP, accepts, consoleAssets, isConsolePath } from './console-assets';

// The console's files over a real HTTP server (what the all-in-one server and the gateway do with them).
describe('console assets', () => {
  let dir = '';
  let server: Server;
  let url = '';

  beforeAll(async () => {
    dir = mkdtempSync(join(tmpdir(), 'mreg-console-'));
    mkdirSync(join(dir, 'dist', 'assets'), { recursive: true });
    writeFileSync(join(dir, 'dist', 'index.html'), '<!doctype html><title>console</title>');
    writeFileSync(join(dir, 'dist', 'assets', 'index-abc123.js'), 'console.log(1)');
    writeFileSync(join(dir, 'dist', 'assets', 'index-abc123.js.br'), brotliCompressSync('console.log(1)'));
    writeFileSync(join(dir, 'dist', 'assets', 'index-abc123.js.gz'), gzipSync('console.log(1)'));
    writeFileSync(join(dir, 'dist', 'assets', 'index-abc123.css'), 'body{}');
    writeFileSync(join(dir, 'dist', 'favicon.svg'), '<svg/>');
    writeFileSync(join(dir, 'secret.txt'), 'outside');
    const assets = consoleAssets(join(dir, 'dist'));
    server = createServer((req, res) => {
      const path = (req.url ?? '/').split('?')[0] ?? '/';
      if (!assets.serve(req, res, path)) {
        res.writeHead(418);
        res.end('api');
      }
    });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  });

  afterAll(async () => {
    await new Promise((resolve) => server.close(resolve));
    rmSync(dir, { recursive: true, force: true });
  });

  it('answers the app at / and at any console route (deep links), never cached, under the console policy', async () => {
    for (const path of ['/', '/models/fraud.v2', '/models/a/versions/3?asOf=2026-01-01T00:00:00Z', '/approvals']) {
      const reply = await fetch(`${url}${path}`);
      expect(reply.status).toBe(200);
      expect(reply.headers.get('content-type')).toBe('text/html; charset=utf-8');
      expect(reply.headers.get('cache-control')).toBe('no-cache');
      expect(reply.headers.get('content-security-policy')).toBe(CONSOLE_CSP);
      expect(await reply.text()).toContain('<title>console</title>');
    }
  });

  /** The raw answer (fetch would decode it): its headers and bytes. */
  const raw = (path: string, acceptEncoding?: string) =>
    new Promise<{ headers: Record<string, string | string[] | undefined>; body: Buffer }>((resolve, reject) => {
      const req = request(`${url}${path}`, { headers: acceptEncoding === undefined ? {} : { 'accept-encoding': acceptEncoding } }, (res) => {
        const chunks: Buffer[] = [];
        res.on('data', (c: Buffer) => chunks.push(c));
        res.on('end', () => resolve({ headers: res.headers, body: Buffer.concat(chunks) }));
      });
      req.on('error', reject);
      req.end();
    });

  it('sends the compressed copy of a hashed asset the browser accepts (brotli before gzip), else the file itself', async () => {
    const br = await raw('/assets/index-abc123.js', 'gzip, deflate, br, zstd');
    expect(br.headers['content-encoding']).toBe('br');
    expect(br.headers['content-type']).toBe('text/javascript; charset=utf-8');
    expect(br.headers['vary']).toBe('Accept-Encoding');
    expect(brotliDecompressSync(br.body).toString()).toBe('console.log(1)');
    const gz = await raw('/assets/index-abc123.js', 'gzip;q=1, br;q=0');
    expect(gz.headers['content-encoding']).toBe('gzip');
    expect(gunzipSync(gz.body).toString()).toBe('console.log(1)');
    const plain = await raw('/assets/index-abc123.js');
    expect(plain.headers['content-encoding']).toBeUndefined();
    expect(plain.body.toString()).toBe('console.log(1)');
    // No compressed copy of this one: the file as it is.
    const css = await raw('/assets/index-abc123.css', 'br');
    expect(css.headers['content-encoding']).toBeUndefined();
    expect(css.body.toString()).toBe('body{}');
  });

  it('reads Accept-Encoding as RFC 9110 says: names, q-values, the wildcard', () => {
    expect(accepts('gzip, br', 'br')).toBe(true);
    expect(accepts('BR;Q=0.5', 'br')).toBe(true);
    expect(accepts('br;q=0', 'br')).toBe(false);
    expect(accepts('*', 'br')).toBe(true);
    expect(accepts('*;q=0, gzip', 'br')).toBe(false);
    expect(accepts('identity', 'gzip')).toBe(false);
    expect(accepts(undefined, 'gzip')).toBe(false);
  });

  it('sends hashed assets with their type, cached for a year; a missing one is a 404', async () => {
    const js = await fetch(`${url}/assets/index-abc123.js`);
    expect(js.headers.get('content-type')).toBe('text/javascript; charset=utf-8');
    expect(js.headers.get('cache-control')).toBe('public, max-age=31536000, immutable');
    expect(await js.text()).toBe('console.log(1)');
    expect((await fetch(`${url}/favicon.svg`)).headers.get('content-type')).toBe('image/svg+xml');
    const missing = await fetch(`${url}/assets/index-old.js`);
    expect(missing.status).toBe(404);
    expect(((await missing.json()) as { error: { code: string } }).error.code).toBe('NOT_FOUND');
  });

  it('leaves the API, health, readiness and writes alone', async () => {
    for (const path of ['/api/v1/models', '/api', '/health', '/ready', '/ready/upstreams', '/metrics']) {
      expect(isConsolePath(path)).toBe(false);
      expect((await fetch(`${url}${path}`)).status).toBe(418);
    }
    expect((await fetch(`${url}/models`, { method: 'POST' })).status).toBe(418);
  });

  it('never serves a file outside its folder', async () => {
    for (const path of ['/..%2fsecret.txt', '/%2e%2e/secret.txt', '/assets/..%2f..%2fsecret.txt']) {
      const reply = await fetch(`${url}${path}`);
      expect(await reply.text()).not.toBe('outside');
    }
  });

  it('says how to build the console when it was not built', () => {
    const missing = consoleAssets(join(dir, 'nothing-here'));
    expect(missing.available).toBe(false);
  });
});
