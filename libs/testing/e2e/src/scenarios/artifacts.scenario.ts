import { createHash, randomBytes } from 'node:crypto';
import { scenario } from '../scenarios';
import { uniqueName } from '../registry-client';
import type { RegistryClient } from '../registry-client';
import { rawRequest } from '../raw-http';
import type { RawReply } from '../raw-http';
import { contentDigest, createModel, createVersion, expectClientError, expectError, expectStatus, getVersion, grant, modelPath, promote, sha256Hex, versionPath } from '../fixtures';
import type { ArtifactBody, ManifestBody } from '../fixtures';

scenario('artifacts: upload, manifest, download, ranges, digests, immutability, path safety, sealing', (client, target) => {
  const alice = () => client().as('alice');
  const bob = () => client().as('bob');

  const artifacts = (name: string, version = 1) => `${versionPath(name, version)}/artifacts`;
  const upload = (c: RegistryClient, name: string, path: string, bytes: Buffer, headers: Record<string, string> = {}) =>
    c.request<ArtifactBody>('PUT', `${artifacts(name)}/${path}`, { body: bytes, headers: { 'content-type': 'application/octet-stream', ...headers } });
  const download = (name: string, path: string, headers: Record<string, string> = {}, method = 'GET'): Promise<RawReply> => rawRequest(target(), method, `${artifacts(name)}/${path}`, { user: 'carol', headers });
  const manifest = async (name: string, version = 1): Promise<ManifestBody> => {
    const reply = await alice().get<ManifestBody>(artifacts(name, version));
    expectStatus(reply, 200);
    return reply.body;
  };

  const freshVersion = async () => {
    const name = uniqueName('art');
    await createModel(alice(), name);
    await createVersion(alice(), name);
    return name;
  };

  it('uploads (201 with size and sha256), lists the manifest and downloads identical bytes', async () => {
    const name = await freshVersion();
    const weights = randomBytes(4099);
    const config = Buffer.from('{"layers": 3}\n');
    const up = await upload(alice(), name, 'model/weights.bin', weights);
    expectStatus(up, 201);
    expect(up.body).toEqual({ path: 'model/weights.bin', size: 4099, sha256: sha256Hex(weights), contentType: 'application/octet-stream', digest: contentDigest(weights) });
    expect(up.headers.get('content-digest')).toBe(contentDigest(weights));
    const second = await upload(alice(), name, 'config.json', config, { 'content-type': 'application/json; charset=utf-8' });
    expectStatus(second, 201);
    expect(second.body).toMatchObject({ path: 'config.json', size: config.length, sha256: sha256Hex(config), contentType: 'application/json' });
    const empty = await upload(alice(), name, 'empty/marker', Buffer.alloc(0));
    expectStatus(empty, 201);
    expect(empty.body).toMatchObject({ size: 0, sha256: sha256Hex(Buffer.alloc(0)) });

    const listed = await manifest(name);
    expect(listed).toEqual({
      model: name,
      version: 1,
      sealed: false,
      totalSize: 4099 + config.length,
      items: [
        { path: 'config.json', size: config.length, sha256: sha256Hex(config), contentType: 'application/json', digest: contentDigest(config) },
        { path: 'empty/marker', size: 0, sha256: sha256Hex(Buffer.alloc(0)), contentType: 'application/octet-stream', digest: contentDigest(Buffer.alloc(0)) },
        { path: 'model/weights.bin', size: 4099, sha256: sha256Hex(weights), contentType: 'application/octet-stream', digest: contentDigest(weights) },
      ],
    });
    expect((await getVersion(alice(), name, 1)).artifacts).toEqual({ count: 3, totalBytes: 4099 + config.length, sealed: false });

    const got = await download(name, 'model/weights.bin');
    expect(got.status).toBe(200);
    expect(got.bytes.equals(weights)).toBe(true);
    expect(got.headers['content-digest']).toBe(`sha-256=:${createHash('sha256').update(weights).digest('base64')}:`);
    expect(got.headers['content-length']).toBe('4099');
    expect(got.headers['content-type']).toBe('application/octet-stream');
    expect(got.headers['accept-ranges']).toBe('bytes');
    const json = await download(name, 'config.json');
    expect(json.bytes.equals(config)).toBe(true);
    expect(json.headers['content-type']).toMatch(/^application\/json/);
    const zero = await download(name, 'empty/marker');
    expect(zero.status).toBe(200);
    expect(zero.bytes.length).toBe(0);

    // HEAD: the headers, no body. A matching ETag: 304.
    const head = await download(name, 'model/weights.bin', {}, 'HEAD');
    expect(head.status).toBe(200);
    expect(head.headers['content-length']).toBe('4099');
    expect(head.bytes.length).toBe(0);
    const etag = got.headers['etag'];
    expect(typeof etag).toBe('string');
    expect((await download(name, 'model/weights.bin', { 'if-none-match': String(etag) })).status).toBe(304);

    expectError(await alice().get(`${artifacts(name)}/model/missing.bin`), 404, 'NOT_FOUND');
    expectError(await alice().get(`${artifacts(name, 2)}/model/weights.bin`), 404, 'NOT_FOUND');
    expectError(await alice().get(artifacts(name, 2)), 404, 'NOT_FOUND');
    expectError(await alice().request('PUT', `${artifacts(name, 2)}/x`, { body: Buffer.from('x') }), 404, 'NOT_FOUND');
  });

  it('serves byte ranges: 206 with Content-Range, open and suffix ranges, 416 past the end', async () => {
    const name = await freshVersion();
    const bytes = Buffer.from(Array.from({ length: 1000 }, (_, i) => i % 251));
    expectStatus(await upload(alice(), name, 'data.bin', bytes), 201);

    const first = await download(name, 'data.bin', { range: 'bytes=0-9' });
    expect(first.status).toBe(206);
    expect(first.headers['content-range']).toBe('bytes 0-9/1000');
    expect(first.headers['content-length']).toBe('10');
    expect(first.bytes.equals(bytes.subarray(0, 10))).toBe(true);

    const middle = await download(name, 'data.bin', { range: 'bytes=500-749' });
    expect(middle.status).toBe(206);
    expect(middle.headers['content-range']).toBe('bytes 500-749/1000');
    expect(middle.bytes.equals(bytes.subarray(500, 750))).toBe(true);

    const open = await download(name, 'data.bin', { range: 'bytes=990-' });
    expect(open.status).toBe(206);
    expect(open.headers['content-range']).toBe('bytes 990-999/1000');
    expect(open.bytes.equals(bytes.subarray(990))).toBe(true);

    const suffix = await download(name, 'data.bin', { range: 'bytes=-5' });
    expect(suffix.status).toBe(206);
    expect(suffix.headers['content-range']).toBe('bytes 995-999/1000');
    expect(suffix.bytes.equals(bytes.subarray(995))).toBe(true);

    const longSuffix = await download(name, 'data.bin', { range: 'bytes=-5000' });
    expect(longSuffix.status).toBe(206);
    expect(longSuffix.headers['content-range']).toBe('bytes 0-999/1000');
    expect(longSuffix.bytes.equals(bytes)).toBe(true);

    const clamped = await download(name, 'data.bin', { range: 'bytes=998-5000' });
    expect(clamped.status).toBe(206);
    expect(clamped.headers['content-range']).toBe('bytes 998-999/1000');
    expect(clamped.bytes.equals(bytes.subarray(998))).toBe(true);

    for (const range of ['bytes=1000-', 'bytes=1000-1001', 'bytes=5000-6000']) {
      const out = await download(name, 'data.bin', { range });
      expect({ range, status: out.status }).toEqual({ range, status: 416 });
      expect(out.headers['content-range']).toBe('bytes */1000');
      expectError(out, 416, 'RANGE_NOT_SATISFIABLE');
    }
    // Ranges that are not one well-formed byte range are ignored: the whole representation.
    for (const range of ['bytes=5-2', 'items=0-1', 'bytes=0-1,5-6']) {
      const whole = await download(name, 'data.bin', { range });
      expect({ range, status: whole.status }).toEqual({ range, status: 200 });
      expect(whole.bytes.equals(bytes)).toBe(true);
    }
  });

  it('never overwrites: the same path again is 409 and nothing changes', async () => {
    const name = await freshVersion();
    const original = Buffer.from('original content');
    expectStatus(await upload(alice(), name, 'model.pkl', original), 201);
    const before = await manifest(name);
    expectError(await upload(alice(), name, 'model.pkl', Buffer.from('other content')), 409, 'ALREADY_EXISTS');
    await grant(alice(), name, 'user:dave', 'write');
    expectError(await upload(client().as('dave'), name, 'model.pkl', original), 409, 'ALREADY_EXISTS');
    expect(await manifest(name)).toEqual(before);
    const got = await download(name, 'model.pkl');
    expect(got.bytes.equals(original)).toBe(true);
    // A file cannot also be a directory, nor the other way round.
    expectError(await upload(alice(), name, 'model.pkl/inner', Buffer.from('x')), 409, 'CONFLICT');
    expectStatus(await upload(alice(), name, 'dir/file', Buffer.from('x')), 201);
    expectError(await upload(alice(), name, 'dir', Buffer.from('x')), 409, 'CONFLICT');
    expect((await manifest(name)).items.map((i) => i.path)).toEqual(['dir/file', 'model.pkl']);
  });

  it('checks Content-Digest: a correct one is accepted, a wrong or malformed one is 400 and stores nothing', async () => {
    const name = await freshVersion();
    const bytes = randomBytes(2048);
    const ok = await upload(alice(), name, 'checked.bin', bytes, { 'content-digest': contentDigest(bytes) });
    expectStatus(ok, 201);
    expect(ok.body.sha256).toBe(sha256Hex(bytes));
    // Another algorithm alongside is fine.
    const other = randomBytes(10);
    const withSha512 = await upload(alice(), name, 'both.bin', other, { 'content-digest': `sha-512=:${createHash('sha512').update(other).digest('base64')}:, ${contentDigest(other)}` });
    expectStatus(withSha512, 201);

    const wrong = await upload(alice(), name, 'wrong.bin', bytes, { 'content-digest': contentDigest(Buffer.from('something else')) });
    expectError(wrong, 400, 'INVALID_ARGUMENT');
    for (const header of ['sha-256=abc', 'sha-256=:AAAA:', 'md5 nonsense', `sha-256=:${'A'.repeat(44)}`]) {
      expectError(await upload(alice(), name, 'malformed.bin', bytes, { 'content-digest': header }), 400, 'INVALID_ARGUMENT');
    }
    // sha-512 is verified too, alone or beside sha-256; a header naming only algorithms mreg cannot check is refused
    // (the upload would otherwise be stored unverified).
    const sha512 = (b: Buffer) => `sha-512=:${createHash('sha512').update(b).digest('base64')}:`;
    const only512 = randomBytes(33);
    expectStatus(await upload(alice(), name, 'sha512.bin', only512, { 'content-digest': sha512(only512) }), 201);
    expectError(await upload(alice(), name, 'wrong512.bin', bytes, { 'content-digest': sha512(Buffer.from('something else')) }), 400, 'INVALID_ARGUMENT');
    expectError(await upload(alice(), name, 'mixed.bin', bytes, { 'content-digest': `${sha512(Buffer.from('x'))}, ${contentDigest(bytes)}` }), 400, 'INVALID_ARGUMENT');
    for (const header of ['md5=:XUFAKrxLKna5cZ2REBfFkg==:', 'crc32c=:AAAAAA==:', 'unixsum=30637']) {
      expectError(await upload(alice(), name, 'unverifiable.bin', bytes, { 'content-digest': header }), 400, 'INVALID_ARGUMENT');
    }
    const paths = (await manifest(name)).items.map((i) => i.path);
    expect(paths).toEqual(['both.bin', 'checked.bin', 'sha512.bin']);
    expectError(await alice().get(`${artifacts(name)}/wrong.bin`), 404, 'NOT_FOUND');
    // The refused path is still free.
    expectStatus(await upload(alice(), name, 'wrong.bin', bytes, { 'content-digest': contentDigest(bytes) }), 201);
  });

  describe('path safety: traversal and odd paths are 4xx and store nothing', () => {
    let name = '';
    beforeAll(async () => {
      name = await freshVersion();
    });

    it.each([
      ['../x'],
      ['a/../../x'],
      ['a/../x'],
      ['./x'],
      ['%2e%2e/x'],
      ['a/%2E%2E/%2e%2e/x'],
      ['a%2Fb'],
      ['a%2f..%2f..%2fx'],
      ['/abs'],
      ['//abs'],
      ['a\\..\\x'],
      ['a%5C..%5Cx'],
      ['a%00b'],
      ['a%01b'],
      ['a%0Ab'],
      ['a//b'],
      ['dir/'],
      ['%'],
      ['%ff'],
      [`${'x'.repeat(256)}`],
      // Paths that a second decoder, a Java server, Windows or a display would read differently.
      ['%252e%252e%252fx'],
      ['a/%252e%252e/b'],
      ['..;/x'],
      ['a;b'],
      ['C:/x'],
      ['a%3Ab'],
      ['a%23b'],
      ['evil%E2%80%AEtxt.exe'],
    ])('refuses %j', async (path) => {
      const before = await manifest(name);
      const put = await rawRequest(target(), 'PUT', `${artifacts(name)}/${path}`, { user: 'alice', body: Buffer.from('payload'), headers: { 'content-type': 'application/octet-stream' } });
      expectClientError(put);
      const get = await rawRequest(target(), 'GET', `${artifacts(name)}/${path}`, { user: 'alice' });
      expectClientError(get);
      expect(await manifest(name)).toEqual(before);
    });

    it('accepts ordinary odd-but-safe names', async () => {
      for (const path of ['.hidden/file', 'dir/..file', 'file...', 'with%20space/and-dash_1', `${encodeURIComponent('模型')}.bin`]) {
        const put = await rawRequest(target(), 'PUT', `${artifacts(name)}/${path}`, { user: 'alice', body: Buffer.from(path) });
        expect({ path, status: put.status }).toEqual({ path, status: 201 });
        const got = await rawRequest(target(), 'GET', `${artifacts(name)}/${path}`, { user: 'carol' });
        expect(got.bytes.toString()).toBe(path);
      }
      expect((await manifest(name)).items.map((i) => i.path)).toEqual(['.hidden/file', 'dir/..file', 'file...', 'with space/and-dash_1', '模型.bin'].sort());
    });
  });

  it('seals artifacts once the version leaves development: uploads are 409', async () => {
    const name = await freshVersion();
    const bytes = Buffer.from('sealed');
    expectStatus(await upload(alice(), name, 'model.bin', bytes), 201);
    await promote(alice(), bob(), name, 1, 'staging');
    const listed = await manifest(name);
    expect(listed.sealed).toBe(true);
    expectError(await upload(alice(), name, 'late.bin', Buffer.from('late')), 409, 'CONFLICT');
    expect((await manifest(name)).items.map((i) => i.path)).toEqual(['model.bin']);
    expect((await getVersion(alice(), name, 1)).artifacts).toEqual({ count: 1, totalBytes: bytes.length, sealed: true });
    // Still downloadable.
    expect((await download(name, 'model.bin')).bytes.equals(bytes)).toBe(true);
    // Archived, then back to development: unsealed again.
    await promote(alice(), bob(), name, 1, 'archived');
    expectError(await upload(alice(), name, 'late.bin', Buffer.from('late')), 409, 'CONFLICT');
    await promote(alice(), bob(), name, 1, 'development');
    expectStatus(await upload(alice(), name, 'late.bin', Buffer.from('late')), 201);
  });

  it('streams a few MB generated on the fly, chunked, and returns the same bytes and digest', async () => {
    const name = await freshVersion();
    const chunkSize = 64 * 1024;
    const chunks = 80; // 5 MiB
    const hash = createHash('sha256');
    const seed = randomBytes(chunkSize);
    const chunkAt = (i: number) => {
      const chunk = Buffer.from(seed);
      chunk.writeUInt32BE(i, 0);
      return chunk;
    };
    async function* generate(): AsyncGenerator<Buffer> {
      for (let i = 0; i < chunks; i++) {
        const chunk = chunkAt(i);
        hash.update(chunk);
        yield chunk;
      }
    }
    const put = await rawRequest(target(), 'PUT', `${artifacts(name)}/big/model.bin`, { user: 'alice', body: generate(), headers: { 'content-type': 'application/octet-stream' } });
    expect(put.status).toBe(201);
    const expectedSha = hash.digest('hex');
    expect(put.body).toMatchObject({ path: 'big/model.bin', size: chunkSize * chunks, sha256: expectedSha });

    const got = await download(name, 'big/model.bin');
    expect(got.status).toBe(200);
    expect(got.bytes.length).toBe(chunkSize * chunks);
    expect(sha256Hex(got.bytes)).toBe(expectedSha);
    expect(got.headers['content-digest']).toBe(`sha-256=:${Buffer.from(expectedSha, 'hex').toString('base64')}:`);
    const tail = await download(name, 'big/model.bin', { range: `bytes=${chunkSize * 40}-${chunkSize * 40 + 3}` });
    expect(tail.status).toBe(206);
    expect(tail.bytes.equals(chunkAt(40).subarray(0, 4))).toBe(true);
  });

  it('uploads under a model name that needs no encoding and refuses a bad Content-Type header', async () => {
    const name = await freshVersion();
    expectError(await upload(alice(), name, 'x.bin', Buffer.from('x'), { 'content-type': 'not a type' }), 400, 'INVALID_ARGUMENT');
    expect((await manifest(name)).items).toEqual([]);
    expectError(await alice().request('PUT', `${modelPath(uniqueName('missing'))}/versions/1/artifacts/x.bin`, { body: Buffer.from('x') }), 404, 'NOT_FOUND');
  });
});
