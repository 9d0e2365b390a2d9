// A real OpenID provider for the single sign-on tests: oidc-provider (OpenID Certified), issuing JWT access tokens
// for mreg's API through the client credentials grant with a resource indicator (RFC 8707), so `aud` is the
// resource asked for. Each start generates a new signing key (a new `kid`): restarting it on the same port is a key
// rotation as a provider does one. Reads its settings from OIDC_PROVIDER_CONFIG (JSON):
//   { "port": 0, "resources": ["https://mreg.test/api", …],
//     "clients": [{ "id": "…", "secret": "…", "claims": { "preferred_username": "…", "groups": […] }, "ttl": 300 }] }
// and prints one JSON line once it listens: { "issuer": "http://127.0.0.1:<port>", "kid": "…", "jwks": {…} }.
// Stops on SIGTERM or when its stdin closes (its parent died).
import { generateKeyPairSync, randomUUID } from 'node:crypto';
import { createServer } from 'node:http';
import Provider from 'oidc-provider';

const config = JSON.parse(process.env.OIDC_PROVIDER_CONFIG ?? '{}');
const resources = new Set(config.resources ?? []);
const clients = config.clients ?? [];
const byId = new Map(clients.map((c) => [c.id, c]));

const kid = randomUUID();
const { privateKey } = generateKeyPairSync('rsa', { modulusLength: 2048 });
const signing = { ...privateKey.export({ format: 'jwk' }), kid, alg: 'RS256', use: 'sig' };

const server = createServer();
await new Promise((resolve, reject) => {
  server.once('error', reject);
  server.listen(Number(config.port ?? 0), '127.0.0.1', resolve);
});
const issuer = `http://127.0.0.1:${server.address().port}`;

const provider = new Provider(issuer, {
  clients: clients.map((c) => ({
    client_id: c.id,
    client_secret: c.secret,
    grant_types: ['client_credentials'],
    response_types: [],
    redirect_uris: [],
    token_endpoint_auth_method: 'client_secret_post',
  })),
  jwks: { keys: [signing] },
  features: {
    devInteractions: { enabled: false },
    clientCredentials: { enabled: true },
    resourceIndicators: {
      enabled: true,
      defaultResource: () => [...resources][0],
      useGrantedResource: () => true,
      getResourceServerInfo: (ctx, resource, client) => {
        if (!resources.has(resource)) throw new Error(`unknown resource ${resource}`);
        return { scope: 'api', audience: resource, accessTokenFormat: 'jwt', accessTokenTTL: byId.get(client.clientId)?.ttl ?? 300, jwt: { sign: { alg: 'RS256' } } };
      },
    },
  },
  // What the provider says about each machine: its user name, groups and roles, as a directory would.
  extraTokenClaims: (ctx, token) => byId.get(token.clientId)?.claims,
});
provider.proxy = false;
server.on('request', provider.callback());

const publicJwk = { kty: signing.kty, n: signing.n, e: signing.e, kid, alg: 'RS256', use: 'sig' };
process.stdout.write(`${JSON.stringify({ issuer, kid, jwks: { keys: [publicJwk] } })}\n`);

const stop = () => {
  server.close(() => process.exit(0));
  // Keep-alive connections of the registry under test would hold the port past a restart (a rotation).
  server.closeAllConnections();
};
process.on('SIGTERM', stop);
process.stdin.on('end', stop);
process.stdin.resume();
