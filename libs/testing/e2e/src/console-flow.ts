import { createHash, randomBytes } from 'node:crypto';
import { mkdirSync, readFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import type { Page } from 'playwright-core';
import { launchBrowserWithPage } from './browser';
import type { Browser } from './browser';
import { createModel, createVersion, expectStatus, historyOf, justBefore, versionPath } from './fixtures';
import { CAST, RegistryClient, uniqueName } from './registry-client';
import type { Target } from './registry-client';

// The web console in a real browser against a running registry (the all-in-one server or the gateway): what a
// data scientist, an approver and an auditor do, through the pages only. MREG_WRITE_SCREENSHOTS=1 (npm run
// screenshots) also saves the main pages to docs/console/.

const SCREENSHOTS = resolve(__dirname, '../../../../docs/console');

const lineage = (commit: string) => ({
  datasets: [{ name: 'payments-2024', uri: 's3://datasets/payments/2024', digest: `sha256:${'ab'.repeat(32)}` }],
  codeRepository: 'https://git.example.com/risk/fraud-model',
  codeCommit: commit,
  pipeline: 'train-nightly',
});

async function signIn(page: Page, url: string, token: string, user: string): Promise<void> {
  await page.goto(`${url}/sign-in`);
  await page.getByLabel('Token').fill(token);
  await page.getByRole('button', { name: 'Sign in', exact: true }).click();
  await page.getByTestId('user').filter({ hasText: user }).waitFor();
}

/** A page from the main navigation. */
async function open(page: Page, item: string): Promise<void> {
  await page.getByRole('navigation', { name: 'Main' }).getByRole('link', { name: item, exact: true }).click();
}

async function signOut(page: Page): Promise<void> {
  await page.getByRole('button', { name: 'Sign out' }).click();
  await page.getByRole('heading', { name: 'Sign in to mreg' }).waitFor();
}

/** The console's main flow, as jest tests in order (they share one browser tab, like a person would). */
export function consoleFlow(target: () => Target, options: { label: string }): void {
  describe(`web console (${options.label})`, () => {
    let browser: Browser;
    let page: Page;
    let url = '';
    let name = '';
    const artifact = randomBytes(300 * 1024);
    const artifactSha = createHash('sha256').update(artifact).digest('hex');
    const shoot = async (file: string) => {
      if (process.env['MREG_WRITE_SCREENSHOTS'] !== '1') return;
      mkdirSync(SCREENSHOTS, { recursive: true });
      await page.waitForTimeout(300);
      await page.screenshot({ path: join(SCREENSHOTS, `${file}.png`), fullPage: true });
    };

    beforeAll(async () => {
      url = target().url;
      const alice = new RegistryClient(target(), 'alice');
      name = uniqueName('fraud-detector');
      await createModel(alice, name, { description: 'Scores card payments for fraud; trained nightly on the last 90 days.', tags: { team: 'risk', domain: 'payments' } });
      await createVersion(alice, name, { description: 'baseline', params: { learning_rate: '0.1', max_depth: '6' }, metrics: { auc: 0.91, loss: 0.31, f1: 0.78 }, lineage: lineage('a1b2c3d4e5f6') });
      await createVersion(alice, name, { description: 'more trees', params: { learning_rate: '0.05', max_depth: '6' }, metrics: { auc: 0.94, loss: 0.25, f1: 0.81 }, lineage: lineage('b2c3d4e5f6a7') });
      await createVersion(alice, name, { description: 'deeper', params: { learning_rate: '0.05', max_depth: '8' }, metrics: { auc: 0.93, loss: 0.27, f1: 0.8 }, lineage: lineage('c3d4e5f6a7b8') });
      expectStatus(await alice.request('PUT', `${versionPath(name, 2)}/artifacts/model.bin`, { body: artifact, headers: { 'content-type': 'application/octet-stream' } }), 201);
      ({ browser, page } = await launchBrowserWithPage());
    }, 120_000);

    afterAll(async () => {
      await browser?.close();
    });

    it('is served at / under a strict policy, and a deep link opens sign-in, then the page it named', async () => {
      const reply = await fetch(`${url}/models/${encodeURIComponent(name)}`);
      expect(reply.status).toBe(200);
      expect(reply.headers.get('content-type')).toContain('text/html');
      const csp = reply.headers.get('content-security-policy') ?? '';
      expect(csp).toContain("script-src 'self'");
      expect(csp).toContain("style-src 'self'");
      expect(csp).not.toContain('unsafe-inline');
      await page.goto(`${url}/models/${encodeURIComponent(name)}`);
      await page.getByLabel('Token').fill('not-a-token-of-this-registry');
      await page.getByRole('button', { name: 'Sign in', exact: true }).click();
      await page.getByRole('alert').filter({ hasText: 'UNAUTHENTICATED' }).waitFor();
      await page.getByLabel('Token').fill(CAST.alice.token);
      await page.getByRole('button', { name: 'Sign in', exact: true }).click();
      await page.getByRole('heading', { name, exact: true }).waitFor();
      expect(await page.evaluate('window.sessionStorage.getItem("mreg.token")')).toBe(CAST.alice.token);
      expect(await page.evaluate('window.localStorage.length')).toBe(0);
    });

    it('finds the model by filter; a wrong filter shows the API message with its column marked', async () => {
      await open(page, 'Models');
      const filter = page.getByLabel('Filter models');
      await filter.fill('name = ');
      await page.getByRole('button', { name: 'Search' }).click();
      const error = page.getByRole('alert').filter({ hasText: 'at column 7' });
      await error.waitFor();
      expect(await error.locator('mark').count()).toBe(1);
      await filter.fill(`name = '${name}'`);
      await page.getByRole('button', { name: 'Search' }).click();
      const rows = page.getByTestId('models').locator('tbody tr');
      await rows.filter({ hasText: name }).waitFor();
      expect(await rows.count()).toBe(1);
      await page.getByRole('button', { name: 'team: risk' }).click();
      await page.getByRole('button', { name: 'Remove tag filter team = risk' }).waitFor();
      expect(page.url()).toContain('tag=team%3Arisk');
      await rows.filter({ hasText: name }).waitFor();
      await shoot('catalog');
    });

    it('opens the model: versions with stage badges, a chosen metric column and the metric charted across versions', async () => {
      await page.getByRole('link', { name, exact: true }).click();
      await page.getByRole('heading', { name, exact: true }).waitFor();
      await page.getByRole('checkbox', { name: 'auc' }).check();
      const table = page.getByTestId('model-versions');
      await table.getByRole('columnheader', { name: 'auc' }).waitFor();
      await table.getByRole('cell', { name: '0.94' }).waitFor();
      expect(await table.locator('.badge', { hasText: 'development' }).count()).toBe(3);
      await page.getByLabel('Metric', { exact: true }).selectOption('auc');
      await page.getByRole('img', { name: 'auc across versions: v1: 0.91, v2: 0.94, v3: 0.93' }).waitFor();
      await shoot('model');
    });

    it('compares two versions side by side, the best metric marked and the differences shown', async () => {
      await page.getByRole('checkbox', { name: 'Select version 1 to compare' }).check();
      await page.getByRole('checkbox', { name: 'Select version 2 to compare' }).check();
      await page.getByRole('link', { name: 'Compare 2 selected' }).click();
      const table = page.getByTestId('compare');
      await table.waitFor();
      const auc = table.locator('tr', { has: page.getByRole('rowheader', { name: /^auc( |$)/ }) });
      expect(await auc.locator('td.best').innerText()).toContain('0.94');
      const loss = table.locator('tr', { has: page.getByRole('rowheader', { name: /^loss( |$)/ }) });
      expect(await loss.locator('td.best').innerText()).toContain('0.25');
      expect(await table.locator('tr.differs', { has: page.getByRole('rowheader', { name: /learning_rate/ }) }).count()).toBe(1);
      expect(await table.locator('tr.differs', { has: page.getByRole('rowheader', { name: /max_depth/ }) }).count()).toBe(0);
      await shoot('compare');
    });

    it('opens a version (lineage graph, artifacts with digests) and requests production as alice', async () => {
      await page
        .getByTestId('compare')
        .getByRole('link', { name: `${name} v2` })
        .click();
      await page.getByRole('heading', { name: `${name} v2` }).waitFor();
      await page.getByRole('img', { name: /Lineage of .* payments-2024/ }).waitFor();
      await page.getByTestId('artifacts').getByText(artifactSha).waitFor();
      await page.getByLabel('Move to').selectOption('production');
      await page.getByLabel('Why (shown to approvers)').fill('beats v1 on auc and loss');
      await page.getByRole('button', { name: 'Request transition' }).click();
      await page.getByRole('status').filter({ hasText: 'Requested production' }).waitFor();
      await page.getByText('Pending: development →').waitFor();
    });

    it('keeps her own request out of her inbox, and says why', async () => {
      await open(page, 'Approvals');
      await page.getByText('Never your own request:').waitFor();
      const mine = page.getByRole('region', { name: /Your requests/ });
      await mine.getByRole('link', { name: `${name} v2` }).waitFor();
      expect(
        await page
          .getByRole('region', { name: /To decide/ })
          .getByRole('link', { name: `${name} v2` })
          .count(),
      ).toBe(0);
    });

    it('signs out (the token is gone) and an approver approves with a comment, seeing what changes', async () => {
      await signOut(page);
      expect(await page.evaluate('window.sessionStorage.getItem("mreg.token")')).toBeNull();
      await signIn(page, url, CAST.bob.token, 'bob');
      await open(page, 'Approvals');
      const inbox = page.getByRole('region', { name: /To decide/ });
      const card = inbox.locator('li', { has: page.getByRole('link', { name: `${name} v2` }) });
      await card.waitFor();
      await card.getByText('beats v1 on auc and loss').waitFor();
      await card.getByRole('rowheader', { name: 'auc' }).waitFor();
      await shoot('approvals');
      await card.getByLabel('Comment').fill('looks good');
      await card.getByRole('button', { name: 'Approve' }).click();
      // Decided: it leaves the inbox (a shared registry may hold other requests for bob).
      await card.waitFor({ state: 'detached' });
    });

    it('shows the stage change and the approval in the version timeline', async () => {
      await page.goto(`${url}/models/${encodeURIComponent(name)}/versions/2`);
      await page
        .getByRole('heading', { name: `${name} v2` })
        .locator('.badge', { hasText: 'production' })
        .waitFor();
      const history = page.getByRole('list', { name: `History of ${name} v2` });
      const approval = history.locator('li', { hasText: 'approved the move of version 2' });
      await approval.waitFor();
      expect(await approval.innerText()).toContain('bob');
      expect(await approval.innerText()).toContain('looks good');
      await history.locator('li', { hasText: 'version 2 moved from development to production' }).waitFor();
      await shoot('version');
    });

    it('travels back to before the approval: the version was in development then', async () => {
      const entries = await historyOf(new RegistryClient(target(), 'alice'), name);
      const approved = entries.find((e) => e.type === 'TransitionApprovalGiven');
      expect(approved).toBeDefined();
      await page.goto(`${url}/models/${encodeURIComponent(name)}/versions/2?asOf=${encodeURIComponent(justBefore(approved?.occurredAt ?? ''))}`);
      await page.getByText('Showing version 2 as it was at').waitFor();
      await page
        .getByRole('heading', { name: `${name} v2` })
        .locator('.badge', { hasText: 'development' })
        .waitFor();
      // The picker keeps the instant in the URL (a shareable view of the past) and "Now" comes back.
      await page.getByLabel('As of').fill('2020-01-02T03:04:05');
      await page.getByRole('button', { name: 'Show' }).click();
      await page.waitForURL(/asOf=2020-01-0/);
    });

    it('downloads an artifact with the token, shows progress and checks its SHA-256', async () => {
      await page.goto(`${url}/models/${encodeURIComponent(name)}/versions/2`);
      const [download] = await Promise.all([page.waitForEvent('download'), page.getByRole('button', { name: 'Download model.bin' }).click()]);
      const saved = await download.path();
      expect(createHash('sha256').update(readFileSync(saved)).digest('hex')).toBe(artifactSha);
      expect(download.suggestedFilename()).toBe('model.bin');
      await page.getByTestId('digest-check').filter({ hasText: 'SHA-256 verified' }).waitFor();
    });

    it("audit: the registry-wide history, one model's filtered by actor, and the integrity check", async () => {
      await open(page, 'Audit');
      // Without a model: the whole registry, newest first, each entry with its model.
      await page.getByText('History of the registry', { exact: true }).waitFor();
      await page.getByTestId('history').locator('tbody tr').first().waitFor();
      expect(await page.getByTestId('history').locator('thead th').allInnerTexts()).toContain('Model');
      await page.getByLabel('Model').fill(name);
      await page.getByLabel('Actor').fill('bob');
      await page.getByRole('button', { name: 'Show history' }).click();
      const rows = page.getByTestId('history').locator('tbody tr');
      await rows.first().waitFor();
      const actors = await rows.locator('td:nth-child(2)').allInnerTexts();
      expect(actors.length).toBeGreaterThan(0);
      expect(new Set(actors)).toEqual(new Set(['bob']));
      await page.getByRole('button', { name: 'Check integrity' }).click();
      await page.getByTestId('integrity').filter({ hasText: 'Intact' }).waitFor();
      await shoot('audit');
    });

    it('a reader sees the model but no control to change it', async () => {
      await signOut(page);
      await signIn(page, url, CAST.carol.token, 'carol');
      await page.goto(`${url}/models/${encodeURIComponent(name)}`);
      await page.getByRole('heading', { name, exact: true }).waitFor();
      expect(await page.getByRole('heading', { name: 'Edit' }).count()).toBe(0);
      await page.goto(`${url}/models/${encodeURIComponent(name)}/versions/3`);
      await page.getByText('cannot request transitions').waitFor();
      expect(await page.getByRole('button', { name: 'Request transition' }).count()).toBe(0);
    });

    it('met no Content-Security-Policy violation and no script error on any page', () => {
      expect(browser.problems).toEqual([]);
    });
  });
}
