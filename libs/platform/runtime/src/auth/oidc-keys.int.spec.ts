import { generateKeyPairSync, sign } from 'node:crypto';
import type { KeyObject } from 'node:crypto';
import { createServer } from 'node:http';
import type { Server } from 'node:http';
import { JwtRejected, JwtVerifier } from './jwt-verifier';
import { OidcKeys } from './oidc-keys';

// A real HTTP server publishing a discovery document and a key set, whose keys the test rotates.
describe('OidcKeys: the provider signing keys, from discovery, cached and refreshed on rotation', () => {
  let server: Server;
  let issuer = '';
  let published: { kid: string; key: KeyObject }[] = [];
  let jwksFetches = 0;

  beforeAll(async () => {
    server = createServer((req, res) => {
      if (req.url === '/.well-known/openid-configuration') {
        res.setHeader('content-type', 'application/json');
        return res.end(JSON.stringify({ issuer, jwks_uri: `${issuer}/jwks` }));
      }
      if (req.url === '/jwks') {
        jwksFetches += 1;
        res.setHeader('content-type', 'application/json');
        return res.end(JSON.stringify({ keys: published.map(({ kid, key }) => ({ ...key.export({ format: 'jwk' }), kid, use: 'sig', alg: 'RS256' })) }));
      }
      res.statusCode = 404;
      res.end();
    });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    const address = server.address();
    issuer = `http://127.0.0.1:${typeof address === 'object' && address ? address.port : 0}`;
  });

  afterAll(async () => {
    await new Promise<void>((resolve) => server.close(() => resolve()));
  });

  const pair = () => generateKeyPairSync('rsa', { modulusLength: 2048 });
  const tokenOf = (kid: string, privateKey: KeyObject) => {
    const now = Math.floor(Date.now() / 1000);
    const input = `${Buffer.from(JSON.stringify({ alg: 'RS256', kid })).toString('base64url')}.${Buffer.from(JSON.stringify({ iss: issuer, aud: 'mreg', sub: 'ada', exp: now + 300 })).toString('base64url')}`;
    return `${input}.${sign('sha256', Buffer.from(input), privateKey).toString('base64url')}`;
  };

  it('verifies tokens with the published key, fetches the key set once, and follows a rotation', async () => {
    const first = pair();
    published = [{ kid: 'k1', key: first.publicKey }];
    jwksFetches = 0;
    const keys = new OidcKeys({ issuer, minRefreshMs: 0 });
    const verifier = new JwtVerifier({ issuer, audience: 'mreg' }, keys.lookup);

    await expect(verifier.verify(tokenOf('k1', first.privateKey))).resolves.toMatchObject({ sub: 'ada' });
    await verifier.verify(tokenOf('k1', first.privateKey));
    expect(jwksFetches).toBe(1);

    // The provider rotates: a new key signs; the old one is gone from the set.
    const second = pair();
    published = [{ kid: 'k2', key: second.publicKey }];
    await expect(verifier.verify(tokenOf('k2', second.privateKey))).resolves.toMatchObject({ sub: 'ada' });
    expect(jwksFetches).toBe(2);
    await expect(verifier.verify(tokenOf('k1', first.privateKey))).rejects.toBeInstanceOf(JwtRejected);
  });

  it('fetches again for unknown kids at most once per interval', async () => {
    const key = pair();
    published = [{ kid: 'k1', key: key.publicKey }];
    jwksFetches = 0;
    const keys = new OidcKeys({ issuer, minRefreshMs: 60_000 });
    const verifier = new JwtVerifier({ issuer, audience: 'mreg' }, keys.lookup);
    await verifier.verify(tokenOf('k1', key.privateKey));

    for (let i = 0; i < 20; i++) await expect(verifier.verify(tokenOf(`made-up-${i}`, key.privateKey))).rejects.toBeInstanceOf(JwtRejected);

    expect(jwksFetches).toBe(1);
  });

  it('refuses a discovery document naming another issuer, and a provider outside the loopback over plain http', async () => {
    const keys = new OidcKeys({ issuer: `${issuer}/` });
    await expect(keys.refresh()).rejects.toThrow(/names issuer/);
    expect(() => new OidcKeys({ issuer: 'http://id.example.com' })).toThrow(/https/);
  });
});
