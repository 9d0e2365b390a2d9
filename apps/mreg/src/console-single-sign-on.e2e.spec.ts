import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { loadConfig } from '@mreg/platform/runtime';
import { castTokensJson, freePort, launchBrowserWithPage, singleSignOnFlow } from '@mreg/testing/e2e';
import { OidcTestProvider } from '@mreg/testing/infra';
import { startRegistry } from './registry-app';
import type { StartedRegistry } from './registry-app';

// The web console's single sign-on against a real OpenID provider (oidc-provider in a process of its own, with its
// own sign-in page), in Chromium against the all-in-one server. A second registry asks the provider for a token of
// another audience: the sign-in must fail with the reason, never hand the console a token the API refuses. If the
// provider or a registry cannot start, beforeAll throws and every test here fails.
const AUDIENCE = 'https://mreg.test/api';
const DANA = { login: 'dana', password: 'dana-password-0123456789', user: 'dana', role: 'approver' };

let provider: OidcTestProvider | undefined;
let registry: StartedRegistry | undefined;
let misconfigured: StartedRegistry | undefined;
const dirs: string[] = [];

const start = async (port: number, env: Record<string, string>) => {
  const dataDir = mkdtempSync(join(tmpdir(), 'mreg-console-sso-'));
  dirs.push(dataDir);
  return startRegistry(loadConfig({ MREG_TOKENS: castTokensJson(), MREG_DATA_DIR: dataDir, PORT: String(port), MREG_HOST: '127.0.0.1', MREG_LOG_LEVEL: 'error', ...env }));
};

beforeAll(async () => {
  // The provider must know the console's redirect URI, so the registries' ports are chosen first.
  const [port, otherPort] = [await freePort(), await freePort()];
  provider = new OidcTestProvider({
    resources: [AUDIENCE, 'https://other.test/api'],
    clients: [],
    consoleClients: [{ id: 'mreg-console', redirectUris: [`http://127.0.0.1:${port}/sign-in`, `http://127.0.0.1:${otherPort}/sign-in`] }],
    accounts: [{ id: 'dana', password: DANA.password, claims: { preferred_username: 'dana', groups: ['model-approvers'] } }],
  });
  await provider.start();
  const sso = {
    MREG_OIDC_ISSUER: provider.issuer,
    MREG_OIDC_AUDIENCE: AUDIENCE,
    MREG_OIDC_GROUP_ROLES: JSON.stringify({ 'model-approvers': 'approver' }),
    MREG_OIDC_CONSOLE_CLIENT_ID: 'mreg-console',
    MREG_OIDC_CONSOLE_SCOPE: 'openid profile api',
    MREG_OIDC_CONSOLE_RESOURCE: AUDIENCE,
  };
  registry = await start(port, sso);
  misconfigured = await start(otherPort, { ...sso, MREG_OIDC_CONSOLE_RESOURCE: 'https://other.test/api' });
}, 60_000);

afterAll(async () => {
  await registry?.app.close();
  await misconfigured?.app.close();
  await provider?.stop();
  for (const dir of dirs) rmSync(dir, { recursive: true, force: true });
});

singleSignOnFlow(
  () => {
    if (!registry || !provider) throw new Error('registry not started');
    return { url: registry.url, issuer: provider.issuer };
  },
  DANA,
  { label: 'all-in-one server' },
);

describe('console single sign-on, set up wrongly', () => {
  it('refuses a provider token mreg would not accept (another audience) with the reason, and keeps no token', async () => {
    if (!misconfigured) throw new Error('registry not started');
    const { browser, page } = await launchBrowserWithPage();
    try {
      await page.goto(`${misconfigured.url}/sign-in`);
      await page.getByRole('button', { name: 'Sign in with single sign-on' }).click();
      await page.getByLabel('User name').fill(DANA.login);
      await page.getByLabel('Password').fill(DANA.password);
      await page.getByRole('button', { name: 'Sign in' }).click();
      await page.getByRole('alert').filter({ hasText: 'not one mreg accepts' }).waitFor();
      expect(await page.getByRole('alert').innerText()).toContain('audience');
      expect(await page.evaluate('window.sessionStorage.getItem("mreg.token")')).toBeNull();
    } finally {
      await browser.close();
    }
  }, 60_000);
});
