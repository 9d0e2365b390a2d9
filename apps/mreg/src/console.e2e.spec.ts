import { spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { loadConfig } from '@mreg/platform/runtime';
import { CAST, castTarget, castTokensJson, consoleFlow, launchBrowserWithPage } from '@mreg/testing/e2e';
import type { Target } from '@mreg/testing/e2e';
import { CONSOLE_DIR, startRegistry } from './registry-app';
import type { StartedRegistry } from './registry-app';

// The web console in Chromium against the all-in-one server (the console it serves at /, built into
// apps/console/dist by `npm run build`; built here when it is missing).
let registry: StartedRegistry | undefined;
let dataDir = '';
let target: Target | undefined;

beforeAll(async () => {
  if (!existsSync(join(CONSOLE_DIR, 'index.html'))) {
    const root = resolve(__dirname, '../../..');
    const built = spawnSync(process.execPath, ['node_modules/vite/bin/vite.js', 'build', '--config', 'apps/console/vite.config.ts', '--logLevel', 'warn'], { cwd: root, encoding: 'utf8' });
    if (built.status !== 0) throw new Error(`the console could not be built: ${built.stderr || built.stdout}`);
  }
  dataDir = mkdtempSync(join(tmpdir(), 'mreg-console-e2e-'));
  registry = await startRegistry(loadConfig({ MREG_TOKENS: castTokensJson(), MREG_DATA_DIR: dataDir, PORT: '0', MREG_HOST: '127.0.0.1', MREG_LOG_LEVEL: 'error' }));
  target = castTarget(registry.url);
}, 120_000);

afterAll(async () => {
  await registry?.app.close();
  rmSync(dataDir, { recursive: true, force: true });
});

consoleFlow(
  () => {
    if (!target) throw new Error('registry not started');
    return target;
  },
  { label: 'all-in-one server' },
);

describe('sign-in without single sign-on configured', () => {
  it('offers tokens only: no provider named, and the code exchange is 404', async () => {
    if (!target) throw new Error('registry not started');
    const options = await fetch(`${target.url}/api/v1/sign-in`);
    expect(options.status).toBe(200);
    expect(await options.json()).toEqual({ methods: ['token'] });
    const exchange = await fetch(`${target.url}/api/v1/sign-in/token`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ code: 'c', codeVerifier: 'v'.repeat(43), redirectUri: `${target.url}/sign-in` }),
    });
    expect(exchange.status).toBe(404);
    expect(((await exchange.json()) as { error: { message: string } }).error.message).toContain('single sign-on is not configured');
  });
});

describe('a token revoked while the console is open', () => {
  it('ends the session at the next answer, and signing in again returns to the same page', async () => {
    if (!target) throw new Error('registry not started');
    const url = target.url;
    const alice = { authorization: `Bearer ${CAST.alice.token}`, 'content-type': 'application/json' };
    const issued = await fetch(`${url}/api/v1/tokens`, { method: 'POST', headers: alice, body: JSON.stringify({ name: 'console-session', roles: ['reader'], expiresAt: new Date(Date.now() + 86_400_000).toISOString() }) });
    expect(issued.status).toBe(201);
    const { id, token } = (await issued.json()) as { id: string; token: string };
    const { browser, page } = await launchBrowserWithPage();
    try {
      await page.goto(`${url}/approvals`);
      await page.getByLabel('Token').fill(token);
      await page.getByRole('button', { name: 'Sign in', exact: true }).click();
      await page.getByRole('heading', { name: 'Approvals', exact: true }).waitFor();
      expect((await fetch(`${url}/api/v1/tokens/${id}/revoke`, { method: 'POST', headers: alice })).status).toBe(200);
      // The inbox re-reads every 5 s: its next answer is a 401, and the session ends with the reason.
      await page.getByRole('heading', { name: 'Sign in to mreg' }).waitFor({ timeout: 15_000 });
      await page.getByRole('alert').filter({ hasText: 'unknown or revoked token' }).waitFor();
      expect(await page.evaluate('window.sessionStorage.getItem("mreg.token")')).toBeNull();
      await page.getByLabel('Token').fill(CAST.alice.token);
      await page.getByRole('button', { name: 'Sign in', exact: true }).click();
      await page.getByTestId('user').filter({ hasText: 'alice' }).waitFor();
      expect(new URL(page.url()).pathname).toBe('/approvals');
      expect(browser.problems.filter((p) => !p.includes('401'))).toEqual([]);
    } finally {
      await browser.close();
    }
  }, 60_000);
});
