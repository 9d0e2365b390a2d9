import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { Client } from 'pg';
import { API, DistributedTopology, RegistryClient, consoleFlow, freePort, runScenarios, singleSignOnFlow, uniqueName } from '@mreg/testing/e2e';
import type { Target } from '@mreg/testing/e2e';
import { OidcTestProvider, announceSkip, serverOrSkip } from '@mreg/testing/infra';

// The same scenario list as the embedded suite, against the production topology: two replicas of each of the four
// services and the gateway as separate processes on real Kafka, a real MongoDB-protocol server (FerretDB), a real
// S3 server and a real PostgreSQL holding the log, which the processes reach over the network like any other
// server. Requests go to either replica in turn, so every scenario also proves the replicas share nothing else.
const kafka = serverOrSkip('kafka', 'distributed e2e');
const mongo = kafka ? serverOrSkip('mongo', 'distributed e2e') : undefined;
const s3 = mongo ? serverOrSkip('s3', 'distributed e2e') : undefined;
const postgres = s3 ? serverOrSkip('postgres', 'distributed e2e') : undefined;
const available = [kafka, mongo, s3, postgres].every((s) => s !== undefined && s !== 'docker');
if ([kafka, mongo, s3, postgres].includes('docker')) announceSkip('distributed e2e', 'a Docker engine is there but this suite needs server URLs (MREG_KAFKA_BROKERS, MREG_MONGO_URL, MREG_S3_ENDPOINT, MREG_POSTGRES_URL)');

// Single sign-on across the services: every replica verifies the provider's tokens itself (decision 33).
const AUDIENCE = 'https://mreg.test/api';
// A person signing in to the console through the provider; the console here is a confidential client (mreg holds
// its secret and exchanges the code), where the embedded suite's is a public one.
const DANA = { login: 'dana', password: 'dana-password-0123456789', user: 'dana', role: 'approver' };
let started: OidcTestProvider | undefined;
const provider = () => {
  if (!started) throw new Error('the OpenID test provider is not running');
  return started;
};

let topology: DistributedTopology | undefined;
let target: Target | undefined;
let work = '';

(available ? describe : describe.skip)('distributed topology (4 services × 2 replicas + gateway, Kafka, FerretDB, S3, PostgreSQL)', () => {
  beforeAll(async () => {
    work = mkdtempSync(join(tmpdir(), 'mreg-dist-'));
    // The provider must know the console's redirect URI (the gateway's), so the gateway's port is chosen first.
    const gatewayPort = await freePort();
    started = new OidcTestProvider({
      resources: [AUDIENCE],
      clients: [
        { id: 'pipeline', secret: 'pipeline-secret-0123456789abcdef', claims: { preferred_username: 'ci-bot', groups: ['ml-team'] } },
        { id: 'auditor', secret: 'auditor-secret-0123456789abcdef', claims: { preferred_username: 'ann', groups: ['auditors'] } },
      ],
      consoleClients: [{ id: 'mreg-console', secret: 'console-secret-0123456789abcdef', redirectUris: [`http://127.0.0.1:${gatewayPort}/sign-in`] }],
      accounts: [{ id: 'dana', password: DANA.password, claims: { preferred_username: 'dana', groups: ['model-approvers'] } }],
    });
    await started.start();
    const sso = {
      MREG_OIDC_ISSUER: started.issuer,
      MREG_OIDC_AUDIENCE: AUDIENCE,
      MREG_OIDC_GROUP_ROLES: JSON.stringify({ 'ml-team': 'contributor', auditors: 'reader', 'model-approvers': 'approver' }),
      // A token naming an unknown key makes a service fetch the keys again at once (the default waits 30 s).
      MREG_OIDC_KEYS_MIN_REFRESH_SECONDS: '0',
      MREG_OIDC_CONSOLE_CLIENT_ID: 'mreg-console',
      MREG_OIDC_CONSOLE_CLIENT_SECRET: 'console-secret-0123456789abcdef',
      MREG_OIDC_CONSOLE_SCOPE: 'openid profile api',
      MREG_OIDC_CONSOLE_RESOURCE: AUDIENCE,
    };
    topology = new DistributedTopology({ root: resolve(__dirname, '../../..'), workDir: work, env: { ...process.env, ...sso }, postgresUrl: postgres, replicas: 2, gatewayPort });
    await topology.start();
    target = topology.target;
  }, 180_000);

  afterAll(async () => {
    await topology?.stop();
    await started?.stop();
    // The run's log: its own schema, dropped like the run's processes.
    if (topology && postgres) {
      const client = new Client({ connectionString: postgres });
      await client.connect();
      await client.query(`DROP SCHEMA IF EXISTS "${topology.postgresSchema}" CASCADE`);
      await client.end();
    }
    // The processes' logs and data: kept only when asked for (MREG_KEEP_E2E_LOGS=1), for a look after a failure.
    if (work && process.env['MREG_KEEP_E2E_LOGS'] !== '1') rmSync(work, { recursive: true, force: true });
  });

  runScenarios(() => {
    if (!target) throw new Error('topology not started');
    return target;
  });

  // The web console the gateway serves at /, through the same topology (apps/console/dist, built by npm run build).
  consoleFlow(
    () => {
      if (!target) throw new Error('topology not started');
      return target;
    },
    { label: 'gateway of the distributed topology' },
  );

  // The console's single sign-on through the gateway: the code exchange is answered by a service behind it.
  singleSignOnFlow(
    () => {
      if (!target) throw new Error('topology not started');
      return { url: target.url, issuer: provider().issuer };
    },
    DANA,
    { label: 'gateway of the distributed topology' },
  );

  describe('single sign-on across the services (a real OpenID provider)', () => {
    const url = () => {
      if (!target) throw new Error('topology not started');
      return target.url;
    };
    const call = async (token: string, method: string, path: string, body?: unknown) => {
      const raw = Buffer.isBuffer(body);
      const reply = await fetch(`${url()}${path}`, {
        method,
        headers: { authorization: `Bearer ${token}`, ...(body === undefined ? {} : { 'content-type': raw ? 'application/octet-stream' : 'application/json' }) },
        ...(body === undefined ? {} : { body: raw ? body : JSON.stringify(body) }),
      });
      return { status: reply.status, body: (await reply.json()) as Record<string, unknown> };
    };
    /** One call to each service: registration, artifact, governance, audit. */
    const everyService = async (token: string, name: string) => ({
      version: (await call(token, 'POST', `${API}/models/${name}/versions`, {})).status,
      upload: (await call(token, 'PUT', `${API}/models/${name}/versions/1/artifacts/${uniqueName('w')}.bin`, Buffer.from('weights'))).status,
      transition: (await call(token, 'POST', `${API}/models/${name}/versions/1/transitions`, { stage: 'archived' })).status,
      read: (await call(token, 'GET', `${API}/models/${name}`)).status,
    });

    it("is accepted by every service as the claims' user with its groups' roles and grants, and after a key rotation", async () => {
      const jwt = await provider().token('pipeline');
      const name = uniqueName('sso');
      const created = await call(jwt, 'POST', `${API}/models`, { name });
      expect([created.status, created.body['createdBy']]).toEqual([201, 'ci-bot']);
      const ok = (status: number) => status >= 200 && status < 300;
      expect(Object.values(await everyService(jwt, name)).every(ok)).toBe(true);

      // The groups claim reaches grants: alice's private model, readable by group ml-team, not by the auditors.
      const alice = new RegistryClient({ url: url(), tokens: target?.tokens ?? {} }).as('alice');
      const teamModel = uniqueName('sso-team');
      expect((await alice.post(`${API}/models`, { name: teamModel })).status).toBe(201);
      expect((await alice.put(`${API}/models/${teamModel}/access/visibility`, { visibility: 'private' })).status).toBe(200);
      expect((await alice.put(`${API}/models/${teamModel}/access/grants`, { subject: 'group:ml-team', permission: 'read' })).status).toBe(200);
      expect((await call(jwt, 'GET', `${API}/models/${teamModel}`)).status).toBe(200);
      expect((await call(await provider().token('auditor'), 'GET', `${API}/models/${teamModel}`)).status).toBe(404);

      // A new signing key: each replica that meets a token naming a key it does not know fetches the keys again.
      // (A replica still holding the old key in its cache keeps accepting the old tokens until the cache expires, as
      // a provider keeps publishing a retired key for a while; the embedded suite checks the refusal once refetched.)
      await provider().rotate();
      const fresh = await provider().token('pipeline');
      const second = uniqueName('sso-rotated');
      expect((await call(fresh, 'POST', `${API}/models`, { name: second })).status).toBe(201);
      expect(Object.values(await everyService(fresh, second)).every(ok)).toBe(true);
      // Each service's reads, twice: both replicas of each answer it (requests alternate between them).
      const reads = [`${API}/models/${second}`, `${API}/models/${second}/access`, `${API}/models/${second}/versions/1/artifacts`, `${API}/transitions?model=${second}`];
      for (let round = 0; round < 2; round++) {
        for (const path of reads) expect({ path, status: (await call(fresh, 'GET', path)).status }).toEqual({ path, status: 200 });
      }
    });
  });
});
