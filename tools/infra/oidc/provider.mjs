// A real OpenID provider for the single sign-on tests: oidc-provider (OpenID Certified), issuing JWT access tokens
// for mreg's API with a resource indicator (RFC 8707), so `aud` is the resource asked for: to machines through the
// client credentials grant, and to people signing in to the web console through the authorization code flow with
// PKCE (its own sign-in page: user name and password of the configured accounts; consent is implied, as for a
// first-party application). Each start generates a new signing key (a new `kid`): restarting it on the same port
// is a key rotation as a provider does one. Reads its settings from OIDC_PROVIDER_CONFIG (JSON):
//   { "port": 0, "resources": ["https://mreg.test/api", …],
//     "clients": [{ "id": "…", "secret": "…", "claims": { "preferred_username": "…", "groups": […] }, "ttl": 300 }],
//     "consoleClients": [{ "id": "…", "redirectUris": ["http://127.0.0.1:8080/sign-in"], "secret": "… (optional)" }],
//     "accounts": [{ "id": "dana", "password": "…", "claims": { "preferred_username": "dana", "groups": […] } }] }
// and prints one JSON line once it listens: { "issuer": "http://127.0.0.1:<port>", "kid": "…", "jwks": {…} }.
// Stops on SIGTERM or when its stdin closes (its parent died).
import { generateKeyPairSync, randomBytes, randomUUID } from 'node:crypto';
import { createServer } from 'node:http';
import Provider from 'oidc-provider';

const config = JSON.parse(process.env.OIDC_PROVIDER_CONFIG ?? '{}');
const resources = new Set(config.resources ?? []);
const clients = config.clients ?? [];
const byId = new Map(clients.map((c) => [c.id, c]));
const consoleClients = config.consoleClients ?? [];
const accounts = new Map((config.accounts ?? []).map((a) => [a.id, a]));

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
  clients: [
    ...clients.map((c) => ({
      client_id: c.id,
      client_secret: c.secret,
      grant_types: ['client_credentials'],
      response_types: [],
      redirect_uris: [],
      token_endpoint_auth_method: 'client_secret_post',
    })),
    ...consoleClients.map((c) => ({
      client_id: c.id,
      ...(c.secret ? { client_secret: c.secret, token_endpoint_auth_method: 'client_secret_basic' } : { token_endpoint_auth_method: 'none' }),
      grant_types: ['authorization_code'],
      response_types: ['code'],
      redirect_uris: c.redirectUris,
    })),
  ],
  jwks: { keys: [signing] },
  cookies: { keys: [randomBytes(32).toString('hex')] },
  findAccount: (ctx, id) => (accounts.has(id) ? { accountId: id, claims: () => ({ sub: id, ...accounts.get(id).claims }) } : undefined),
  interactions: { url: (ctx, interaction) => `/interaction/${interaction.uid}` },
  // The token endpoint is called by mreg's server, never by a browser.
  clientBasedCORS: () => false,
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
  // What the provider says about each person or machine: user name, groups and roles, as a directory would.
  extraTokenClaims: (ctx, token) => (token.accountId !== undefined ? accounts.get(token.accountId)?.claims : byId.get(token.clientId)?.claims),
});
provider.proxy = false;

const escape = (text) => String(text).replace(/[&<>"']/g, (c) => `&#${c.charCodeAt(0)};`);
const page = (res, status, body) => {
  res.writeHead(status, { 'content-type': 'text/html; charset=utf-8', 'cache-control': 'no-store', 'content-security-policy': "default-src 'none'" });
  res.end(`<!doctype html><html lang="en"><head><meta charset="utf-8"><title>Test provider: sign in</title></head><body>${body}</body></html>`);
};
const loginForm = (uid, error) =>
  `<main><h1>Sign in to the test provider</h1>${error ? `<p role="alert">${escape(error)}</p>` : ''}
  <form method="post" action="/interaction/${escape(uid)}/login">
  <label>User name <input name="username" autocomplete="username" required></label>
  <label>Password <input name="password" type="password" autocomplete="current-password" required></label>
  <button type="submit">Sign in</button></form></main>`;
const formOf = (req) =>
  new Promise((resolve, reject) => {
    let text = '';
    req.setEncoding('utf8');
    req.on('data', (chunk) => {
      text += chunk;
      if (text.length > 10_000) req.destroy();
    });
    req.on('end', () => resolve(new URLSearchParams(text)));
    req.on('error', reject);
  });

// The provider's own pages (oidc-provider leaves them to its host): the login form, then an implied consent.
async function interaction(req, res, uid, action) {
  const details = await provider.interactionDetails(req, res);
  if (details.uid !== uid) return page(res, 400, '<p>This sign-in is not the one in progress.</p>');
  if (details.prompt.name === 'login') {
    if (req.method === 'GET' && action === undefined) return page(res, 200, loginForm(uid));
    if (req.method === 'POST' && action === 'login') {
      const form = await formOf(req);
      const account = accounts.get(form.get('username') ?? '');
      if (!account || account.password !== form.get('password')) return page(res, 401, loginForm(uid, 'Unknown user name or wrong password.'));
      return provider.interactionFinished(req, res, { login: { accountId: account.id } }, { mergeWithLastSubmission: false });
    }
  }
  if (details.prompt.name === 'consent') {
    const grant = details.grantId ? await provider.Grant.find(details.grantId) : new provider.Grant({ accountId: details.session.accountId, clientId: details.params.client_id });
    const missing = details.prompt.details;
    if (missing.missingOIDCScope) grant.addOIDCScope(missing.missingOIDCScope.join(' '));
    if (missing.missingOIDCClaims) grant.addOIDCClaims(missing.missingOIDCClaims);
    for (const [indicator, scopes] of Object.entries(missing.missingResourceScopes ?? {})) grant.addResourceScope(indicator, scopes.join(' '));
    return provider.interactionFinished(req, res, { consent: { grantId: await grant.save() } }, { mergeWithLastSubmission: true });
  }
  return page(res, 400, '<p>Nothing to do here.</p>');
}

const callback = provider.callback();
server.on('request', (req, res) => {
  const match = /^\/interaction\/([A-Za-z0-9_-]+)(?:\/(login))?$/.exec((req.url ?? '').split('?')[0]);
  if (!match) return callback(req, res);
  interaction(req, res, match[1], match[2]).catch((error) => page(res, 400, `<p>${escape(error?.message ?? error)}</p>`));
});

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
