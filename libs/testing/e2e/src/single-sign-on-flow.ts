import type { Page } from 'playwright-core';
import { launchBrowserWithPage } from './browser';
import type { Browser } from './browser';

// The console's single sign-on in a real browser against a real OpenID provider (decision 36): the authorization
// code flow with PKCE through the provider's own sign-in page, the code exchanged by the registry. Run against the
// all-in-one server and through the gateway of the distributed topology.

/** A person the provider knows, and what the registry should make of them. */
export interface SignOnAccount {
  readonly login: string;
  readonly password: string;
  /** The user name mreg shows (the provider's user claim). */
  readonly user: string;
  /** A role their groups give them, shown next to the name. */
  readonly role: string;
}

export interface SingleSignOnTarget {
  /** The registry's (or gateway's) URL: the one the provider's redirect URI names. */
  readonly url: string;
  readonly issuer: string;
}

const JWT = /^[A-Za-z0-9_-]+\.[A-Za-z0-9_-]+\.[A-Za-z0-9_-]+$/;

async function post(url: string, body: unknown): Promise<{ status: number; body: { error?: { code?: string; message?: string } } & Record<string, unknown> }> {
  const reply = await fetch(`${url}/api/v1/sign-in/token`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify(body) });
  return { status: reply.status, body: (await reply.json()) as { error?: { code?: string; message?: string } } & Record<string, unknown> };
}

export function singleSignOnFlow(target: () => SingleSignOnTarget, account: SignOnAccount, options: { label: string }): void {
  describe(`console single sign-on (${options.label})`, () => {
    let browser: Browser;
    let page: Page;
    let url = '';
    const signInButton = () => page.getByRole('button', { name: 'Sign in with single sign-on' });

    beforeAll(async () => {
      url = target().url;
      ({ browser, page } = await launchBrowserWithPage());
    }, 120_000);

    afterAll(async () => {
      await browser?.close();
    });

    it('says how to sign in before any token exists: tokens, and the provider with its authorization endpoint', async () => {
      const reply = await fetch(`${url}/api/v1/sign-in`);
      expect(reply.status).toBe(200);
      const body = (await reply.json()) as { methods: string[]; singleSignOn?: { issuer: string; authorizationEndpoint: string; clientId: string; scope: string } };
      expect(body.methods).toEqual(['token', 'single-sign-on']);
      expect(body.singleSignOn?.issuer).toBe(target().issuer);
      expect(body.singleSignOn?.authorizationEndpoint.startsWith(target().issuer)).toBe(true);
      expect(body.singleSignOn?.scope.split(' ')).toContain('openid');
    });

    it('signs a person in through the provider and returns to the page they asked for', async () => {
      const answers: string[] = [];
      page.on('request', (request) => {
        if (request.isNavigationRequest() && request.url().startsWith(`${url}/sign-in?`)) answers.push(request.url());
      });
      await page.goto(`${url}/approvals`);
      await signInButton().click();
      await page.waitForURL((at) => at.href.startsWith(target().issuer));
      await page.getByLabel('User name').fill(account.login);
      await page.getByLabel('Password').fill('not-the-password');
      await page.getByRole('button', { name: 'Sign in' }).click();
      await page.getByRole('alert').filter({ hasText: 'wrong password' }).waitFor();
      await page.getByLabel('User name').fill(account.login);
      await page.getByLabel('Password').fill(account.password);
      await page.getByRole('button', { name: 'Sign in' }).click();
      await page.getByTestId('user').filter({ hasText: account.user }).waitFor();
      await page.getByRole('heading', { name: 'Approvals', exact: true }).waitFor();
      expect(await page.locator('.who .roles').innerText()).toContain(account.role);
      // The provider sent the browser back with a code and the state this tab sent; neither stays in the address.
      expect(answers).toHaveLength(1);
      const answer = new URL(answers[0] ?? '');
      expect(answer.searchParams.get('code')).toBeTruthy();
      expect(answer.searchParams.get('state')).toBeTruthy();
      expect(new URL(page.url()).pathname).toBe('/approvals');
      expect(page.url()).not.toContain('code=');
      // The provider's access token, kept for this tab only; the pending sign-in (its verifier) is gone.
      expect(await page.evaluate('window.sessionStorage.getItem("mreg.token")')).toMatch(JWT);
      expect(await page.evaluate('window.sessionStorage.getItem("mreg.sign-in")')).toBeNull();
      expect(await page.evaluate('window.localStorage.length')).toBe(0);

      // The same answer again (a link copied from the history) is refused: its sign-in was used.
      await page.getByRole('button', { name: 'Sign out' }).click();
      await page.goto(answer.href);
      await page.getByRole('alert').filter({ hasText: 'not started in this tab' }).waitFor();
      expect(await page.evaluate('window.sessionStorage.getItem("mreg.token")')).toBeNull();
    });

    it('signs in again through the provider without its form while the provider session lasts', async () => {
      await page.goto(`${url}/sign-in`);
      await signInButton().click();
      await page.getByTestId('user').filter({ hasText: account.user }).waitFor();
      expect(new URL(page.url()).pathname).toBe('/models');
    });

    it('refuses an answer this tab did not ask for, and shows what the provider refused', async () => {
      const other = await browser.newPage();
      await other.goto(`${url}/sign-in?code=stolen-or-made-up&state=someone-elses`);
      await other.getByRole('alert').filter({ hasText: 'not started in this tab' }).waitFor();
      expect(await other.evaluate('window.sessionStorage.getItem("mreg.token")')).toBeNull();
      await other.goto(`${url}/sign-in?error=access_denied&error_description=End-User%20aborted%20interaction&state=x`);
      await other.getByRole('alert').filter({ hasText: 'access_denied (End-User aborted interaction)' }).waitFor();
      await other.close();
    });

    it('exchanges no code it cannot check: 400 for a malformed request, 401 for a code the provider refuses', async () => {
      const verifier = 'v'.repeat(43);
      const refused = await post(url, { code: 'made-up-code', codeVerifier: verifier, redirectUri: `${url}/sign-in` });
      expect(refused.status).toBe(401);
      expect(refused.body.error?.code).toBe('UNAUTHENTICATED');
      expect(refused.body.error?.message).toContain('invalid_grant');
      for (const bad of [
        { code: 'c', codeVerifier: 'short', redirectUri: `${url}/sign-in` },
        { code: 'c', codeVerifier: verifier, redirectUri: 'javascript:alert(1)' },
        { code: 'c', codeVerifier: verifier, redirectUri: `${url}/sign-in`, clientSecret: 'x' },
        { code: '', codeVerifier: verifier, redirectUri: `${url}/sign-in` },
        { code: 'a b', codeVerifier: verifier, redirectUri: `${url}/sign-in` },
      ]) {
        const reply = await post(url, bad);
        expect({ bad, status: reply.status, code: reply.body.error?.code }).toEqual({ bad, status: 400, code: 'INVALID_ARGUMENT' });
      }
    });

    it('met no Content-Security-Policy violation and no script error', () => {
      expect(browser.problems).toEqual([]);
    });
  });
}
