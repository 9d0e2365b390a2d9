import { createHmac, createPublicKey } from 'node:crypto';
import type { JsonWebKey } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { loadConfig } from '@mreg/platform/runtime';
import { API, CAST, RegistryClient, castTarget, castTokensJson, historyOf, uniqueName } from '@mreg/testing/e2e';
import type { ModelBody } from '@mreg/testing/e2e';
import { OidcTestProvider } from '@mreg/testing/infra';
import { startRegistry } from './registry-app';
import type { StartedRegistry } from './registry-app';

// Single sign-on against a real OpenID provider (oidc-provider, in a process of its own): discovery, its JWKS, JWT
// access tokens of the client credentials grant whose `aud` is the resource asked for, and a key rotation by
// restarting it with a new key. If the provider cannot start, beforeAll throws and every test here fails.
const AUDIENCE = 'https://mreg.test/api';
const provider = new OidcTestProvider({
  resources: [AUDIENCE, 'https://other.test/api'],
  clients: [
    { id: 'pipeline', secret: 'pipeline-secret-0123456789abcdef', claims: { preferred_username: 'ci-bot', groups: ['ml-team', 'with space'] } },
    { id: 'auditor', secret: 'auditor-secret-0123456789abcdef', claims: { groups: ['auditors'] } },
    { id: 'release-bot', secret: 'release-secret-0123456789abcdef', claims: { mreg_roles: ['approver', 'superuser'] } },
    { id: 'stranger', secret: 'stranger-secret-0123456789abcdef', claims: { groups: ['visitors'] } },
    { id: 'short-lived', secret: 'short-secret-0123456789abcdef0', claims: { groups: ['ml-team'] }, ttl: 1 },
  ],
});

let registry: StartedRegistry | undefined;
let dataDir = '';

beforeAll(async () => {
  await provider.start();
  dataDir = mkdtempSync(join(tmpdir(), 'mreg-sso-'));
  registry = await startRegistry(
    loadConfig({
      MREG_TOKENS: castTokensJson(),
      MREG_DATA_DIR: dataDir,
      PORT: '0',
      MREG_HOST: '127.0.0.1',
      MREG_LOG_LEVEL: 'error',
      MREG_OIDC_ISSUER: provider.issuer,
      MREG_OIDC_AUDIENCE: AUDIENCE,
      MREG_OIDC_GROUP_ROLES: JSON.stringify({ 'ml-team': 'contributor', auditors: ['reader'] }),
      MREG_OIDC_ROLES_CLAIM: 'mreg_roles',
      MREG_OIDC_CLOCK_SKEW_SECONDS: '0',
      // A token naming an unknown key makes mreg fetch the keys again at once (the default waits 30 s between fetches).
      MREG_OIDC_KEYS_MIN_REFRESH_SECONDS: '0',
    }),
  );
}, 60_000);

afterAll(async () => {
  await registry?.app.close();
  await provider.stop();
  if (dataDir) rmSync(dataDir, { recursive: true, force: true });
});

const url = () => {
  if (!registry) throw new Error('registry not started');
  return registry.url;
};
const call = async (token: string, method: string, path: string, body?: unknown) => {
  const reply = await fetch(`${url()}${path}`, {
    method,
    headers: { authorization: `Bearer ${token}`, ...(body === undefined ? {} : { 'content-type': 'application/json' }) },
    ...(body === undefined ? {} : { body: JSON.stringify(body) }),
  });
  return { status: reply.status, body: (await reply.json()) as { error?: { code: string; message: string } } & Record<string, unknown> };
};
const refusal = async (token: string) => {
  const reply = await call(token, 'GET', `${API}/models`);
  expect(reply.status).toBe(401);
  expect(reply.body.error?.code).toBe('UNAUTHENTICATED');
  // The reason, and nothing of the provider's keys, issuer or the expected audience.
  expect(reply.body.error?.message).not.toContain(provider.kid);
  expect(reply.body.error?.message).not.toContain(AUDIENCE);
  return reply.body.error?.message;
};

const parts = (token: string) => {
  const [header, payload, signature] = token.split('.') as [string, string, string];
  return { header: JSON.parse(Buffer.from(header, 'base64url').toString('utf8')) as Record<string, unknown>, payload: JSON.parse(Buffer.from(payload, 'base64url').toString('utf8')) as Record<string, unknown>, signature };
};
const b64 = (value: unknown) => Buffer.from(JSON.stringify(value)).toString('base64url');

describe('single sign-on with a real OpenID provider', () => {
  it("accepts the provider's token: the user from its claims, the roles of its groups; the actor is recorded", async () => {
    const token = await provider.token('pipeline');
    expect(parts(token).header).toMatchObject({ alg: 'RS256', kid: provider.kid });
    const name = uniqueName('sso');
    const created = await call(token, 'POST', `${API}/models`, { name });
    expect(created.status).toBe(201);
    expect((created.body as unknown as ModelBody).createdBy).toBe('ci-bot');
    const history = await historyOf(new RegistryClient(castTarget(url())).as('carol'), name);
    expect(history.map((e) => e.type)).toContain('ModelRegistered');
    expect(new Set(history.map((e) => e.actor))).toEqual(new Set(['ci-bot']));
    // ml-team → contributor: it registers, but does not set the registry's policy (admin only).
    expect(await call(token, 'PATCH', `${API}/policy`, {})).toMatchObject({ status: 403, body: { error: { code: 'PERMISSION_DENIED' } } });
  });

  it('gives the roles of each group and of the roles claim, and none without them (403 everywhere)', async () => {
    const auditor = await provider.token('auditor');
    expect((await call(auditor, 'GET', `${API}/models`)).status).toBe(200);
    expect(await call(auditor, 'POST', `${API}/models`, { name: uniqueName('nope') })).toMatchObject({ status: 403, body: { error: { code: 'PERMISSION_DENIED' } } });

    const releaseBot = await provider.token('release-bot');
    expect((await call(releaseBot, 'GET', `${API}/transitions`)).status).toBe(200);
    expect((await call(releaseBot, 'POST', `${API}/models`, { name: uniqueName('nope') })).status).toBe(403);

    const stranger = await provider.token('stranger');
    expect(await call(stranger, 'GET', `${API}/models`)).toMatchObject({ status: 403, body: { error: { code: 'PERMISSION_DENIED' } } });
  });

  it('keeps accepting the MREG_TOKENS tokens beside the provider', async () => {
    expect((await call(CAST.carol.token, 'GET', `${API}/models`)).status).toBe(200);
  });

  it('refuses a token for another audience', async () => {
    expect(await refusal(await provider.token('pipeline', 'https://other.test/api'))).toBe('token refused: wrong audience');
  });

  it('refuses an expired token', async () => {
    const token = await provider.token('short-lived');
    const exp = parts(token).payload['exp'] as number;
    // Its lifetime is one second and mreg allows no skew here: wait until the second after it ended.
    while (Date.now() / 1000 < exp + 1) await sleep(100);
    expect(await refusal(token)).toBe('token refused: expired');
  });

  it('refuses alg none, with the claims of a real token', async () => {
    const { header, payload } = parts(await provider.token('pipeline'));
    const unsigned = `${b64({ ...header, alg: 'none' })}.${b64({ ...payload, mreg_roles: ['admin'] })}.`;
    expect(await refusal(unsigned)).toBe('token refused: algorithm not accepted');
  });

  it("refuses a token signed HS256 with the provider's public key as the HMAC secret", async () => {
    const { header, payload } = parts(await provider.token('pipeline'));
    const jwk = provider.jwks.keys[0] as JsonWebKey;
    const pem = createPublicKey({ key: jwk, format: 'jwk' }).export({ type: 'spki', format: 'pem' });
    for (const secret of [pem, JSON.stringify(jwk)]) {
      const input = `${b64({ ...header, alg: 'HS256' })}.${b64({ ...payload, mreg_roles: ['admin'] })}`;
      const forged = `${input}.${createHmac('sha256', secret).update(input).digest('base64url')}`;
      expect(await refusal(forged)).toBe('token refused: algorithm not accepted');
    }
  });

  it('refuses a real token whose claims were changed (bad signature)', async () => {
    const token = await provider.token('auditor');
    const { header, payload, signature } = parts(token);
    expect(await refusal(`${b64(header)}.${b64({ ...payload, groups: ['ml-team'] })}.${signature}`)).toBe('token refused: bad signature');
  });

  it('follows a key rotation: a token signed with the new key is accepted, one of the retired key refused', async () => {
    const before = await provider.token('pipeline');
    expect((await call(before, 'GET', `${API}/models`)).status).toBe(200);
    const retiredKid = provider.kid;

    await provider.rotate();
    const after = await provider.token('pipeline');
    expect(parts(after).header['kid']).not.toBe(retiredKid);
    expect((await call(after, 'GET', `${API}/models`)).status).toBe(200);
    expect(await refusal(before)).toBe('token refused: no key for this token');
  });
});
