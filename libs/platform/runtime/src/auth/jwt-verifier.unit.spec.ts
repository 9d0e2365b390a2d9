import { createHmac, generateKeyPairSync, sign } from 'node:crypto';
import type { KeyObject } from 'node:crypto';
import { JwtRejected, JwtVerifier, publicKeyOfJwk } from './jwt-verifier';
import type { JwtAlgorithm, KeyLookup } from './jwt-verifier';

// Real keys and real signatures (node:crypto); the lookup stands for a provider's JWKS with two keys.
const ISSUER = 'https://id.example.com';
const AUDIENCE = 'mreg';
const NOW = 1_800_000_000;
const rsa = generateKeyPairSync('rsa', { modulusLength: 2048 });
const ec = generateKeyPairSync('ec', { namedCurve: 'P-256' });
const ed = generateKeyPairSync('ed25519');
const KEYS: Record<string, KeyObject> = { 'rsa-1': rsa.publicKey, 'ec-1': ec.publicKey, 'ed-1': ed.publicKey };
const lookup: KeyLookup = async (kid) => (kid === undefined ? undefined : KEYS[kid]);

const b64 = (value: unknown) => Buffer.from(typeof value === 'string' ? value : JSON.stringify(value)).toString('base64url');

function token(header: Record<string, unknown>, claims: Record<string, unknown>, signer: (input: string) => Buffer): string {
  const input = `${b64(header)}.${b64(claims)}`;
  return `${input}.${signer(input).toString('base64url')}`;
}

const rs256 = (input: string) => sign('sha256', Buffer.from(input), rsa.privateKey);
const es256 = (input: string) => sign('sha256', Buffer.from(input), { key: ec.privateKey, dsaEncoding: 'ieee-p1363' });
const eddsa = (input: string) => sign(null, Buffer.from(input), ed.privateKey);
const good = { iss: ISSUER, aud: AUDIENCE, sub: 'ada', exp: NOW + 300, iat: NOW - 10, nbf: NOW - 10 };

const verifier = (algorithms: JwtAlgorithm[] = ['RS256', 'ES256', 'EdDSA']) => new JwtVerifier({ issuer: ISSUER, audience: AUDIENCE, algorithms, clockSkewSeconds: 30 }, lookup);

async function reason(promise: Promise<unknown>): Promise<string> {
  try {
    await promise;
  } catch (error: unknown) {
    if (error instanceof JwtRejected) return error.reason;
    throw error;
  }
  return 'accepted';
}

describe('JwtVerifier', () => {
  it.each([
    ['RS256', 'rsa-1', rs256],
    ['ES256', 'ec-1', es256],
    ['EdDSA', 'ed-1', eddsa],
  ] as const)('accepts a %s token signed by the provider, and returns its claims', async (alg, kid, signer) => {
    const claims = await verifier().verify(token({ alg, kid, typ: 'JWT' }, { ...good, aud: ['other', AUDIENCE] }, signer), NOW);

    expect(claims).toMatchObject({ sub: 'ada', iss: ISSUER });
  });

  it('refuses alg none, with or without a signature', async () => {
    const unsigned = `${b64({ alg: 'none', kid: 'rsa-1' })}.${b64(good)}.`;
    expect(await reason(verifier().verify(unsigned, NOW))).toBe('algorithm not accepted');
    expect(await reason(verifier().verify(`${unsigned}c2ln`, NOW))).toBe('algorithm not accepted');
  });

  it('refuses a token signed with the public key as an HMAC secret (HS256), however the key is spelled', async () => {
    const pem = rsa.publicKey.export({ type: 'spki', format: 'pem' });
    const forged = token({ alg: 'HS256', kid: 'rsa-1' }, good, (input) => createHmac('sha256', pem).update(input).digest());

    expect(await reason(verifier().verify(forged, NOW))).toBe('algorithm not accepted');
  });

  it("refuses an algorithm that is not pinned, and a key of another type than the token's algorithm", async () => {
    expect(await reason(verifier(['RS256']).verify(token({ alg: 'ES256', kid: 'ec-1' }, good, es256), NOW))).toBe('algorithm not accepted');
    // ES256 header, but the kid names the RSA key: the key does not fit the algorithm.
    expect(await reason(verifier().verify(token({ alg: 'ES256', kid: 'rsa-1' }, good, es256), NOW))).toBe('no key for this token');
  });

  it('refuses an RSA key under 2048 bits', async () => {
    const weak = generateKeyPairSync('rsa', { modulusLength: 1024 });
    const weakVerifier = new JwtVerifier({ issuer: ISSUER, audience: AUDIENCE, algorithms: ['RS256'] }, async () => weak.publicKey);

    expect(
      await reason(
        weakVerifier.verify(
          token({ alg: 'RS256', kid: 'weak' }, good, (i) => sign('sha256', Buffer.from(i), weak.privateKey)),
          NOW,
        ),
      ),
    ).toBe('no key for this token');
  });

  it('refuses an unknown key (a rotated-out or foreign one) and a bad signature', async () => {
    expect(await reason(verifier().verify(token({ alg: 'RS256', kid: 'rsa-9' }, good, rs256), NOW))).toBe('no key for this token');
    const other = generateKeyPairSync('rsa', { modulusLength: 2048 });
    expect(
      await reason(
        verifier().verify(
          token({ alg: 'RS256', kid: 'rsa-1' }, good, (i) => sign('sha256', Buffer.from(i), other.privateKey)),
          NOW,
        ),
      ),
    ).toBe('bad signature');
    const valid = token({ alg: 'RS256', kid: 'rsa-1' }, good, rs256);
    const [h, , s] = valid.split('.');
    expect(await reason(verifier().verify(`${h}.${b64({ ...good, sub: 'root' })}.${s}`, NOW))).toBe('bad signature');
  });

  it.each([
    [{ ...good, iss: 'https://evil.example.com' }, 'wrong issuer'],
    [{ ...good, aud: 'other' }, 'wrong audience'],
    [{ ...good, aud: undefined }, 'wrong audience'],
    [{ ...good, exp: undefined }, 'no expiry'],
    [{ ...good, exp: NOW - 31 }, 'expired'],
    [{ ...good, nbf: NOW + 31 }, 'not valid yet'],
    [{ ...good, iat: NOW + 31 }, 'issued in the future'],
  ])('refuses claims %j: %s', async (claims, expected) => {
    expect(await reason(verifier().verify(token({ alg: 'RS256', kid: 'rsa-1' }, claims, rs256), NOW))).toBe(expected);
  });

  it('allows the clock skew on exp and nbf', async () => {
    await expect(verifier().verify(token({ alg: 'RS256', kid: 'rsa-1' }, { ...good, exp: NOW - 29, nbf: NOW + 29 }, rs256), NOW)).resolves.toMatchObject({ sub: 'ada' });
  });

  it.each(['', 'a.b', 'a.b.c.d', '!!.e30.sig', `${b64('[1]')}.${b64(good)}.c2ln`, `${b64({ alg: 'RS256', crit: ['exp'] })}.${b64(good)}.c2ln`, 'x'.repeat(20_000)])('refuses the malformed token %#', async (malformed) => {
    expect(await reason(verifier().verify(malformed, NOW))).not.toBe('accepted');
  });

  it('reads public JWKs and refuses private or symmetric ones', () => {
    const jwk = rsa.publicKey.export({ format: 'jwk' });
    expect(publicKeyOfJwk(jwk)?.asymmetricKeyType).toBe('rsa');
    expect(publicKeyOfJwk(rsa.privateKey.export({ format: 'jwk' }))).toBeUndefined();
    expect(publicKeyOfJwk({ kty: 'oct', k: 'c2VjcmV0' })).toBeUndefined();
  });
});
