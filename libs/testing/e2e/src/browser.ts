import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { chromium } from 'playwright-core';
import type { BrowserContext, Page } from 'playwright-core';

// Debian's chromium driven by playwright-core, for the web console's browser tests and screenshots. .ci/run installs
// it with apt; when it is missing or cannot start, the suite fails with the reason (never skips).

export const CHROMIUM = process.env['MREG_CHROMIUM'] ?? '/usr/bin/chromium';

// Without the background-networking flags Chromium keeps calling home (component updates, sync, QUIC probes).
export const CHROMIUM_ARGS = ['--headless', '--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run', '--disable-background-networking', '--disable-component-update', '--disable-sync'];

export interface Browser {
  readonly context: BrowserContext;
  /** What the page reported that a test must not see: CSP violations, script errors, failed console messages. */
  readonly problems: string[];
  newPage(): Promise<Page>;
  close(): Promise<void>;
}

/** A fresh Chromium (its own profile directory), its problems collected from every page. */
export async function launchBrowser(viewport = { width: 1366, height: 860 }): Promise<Browser> {
  if (!existsSync(CHROMIUM)) throw new Error(`no Chromium at ${CHROMIUM}: install it (apt-get install -y chromium; .ci/run does) or set MREG_CHROMIUM`);
  const profile = mkdtempSync(join(tmpdir(), 'mreg-chromium-'));
  let context: BrowserContext;
  try {
    context = await chromium.launchPersistentContext(profile, { executablePath: CHROMIUM, headless: true, args: CHROMIUM_ARGS, viewport, acceptDownloads: true, timeout: 60_000 });
  } catch (error) {
    rmSync(profile, { recursive: true, force: true });
    throw new Error(`Chromium (${CHROMIUM}) could not start: ${error instanceof Error ? error.message : String(error)}`);
  }
  const problems: string[] = [];
  const watch = (page: Page) => {
    page.on('console', (message) => {
      // A 4xx the console shows on purpose (a wrong filter, a refused token) is logged by the browser too.
      if (message.type() === 'error' && !message.text().startsWith('Failed to load resource')) problems.push(`console: ${message.text()}`);
    });
    page.on('pageerror', (error) => problems.push(`page error: ${error.message}`));
  };
  context.on('page', watch);
  for (const page of context.pages()) watch(page);
  // Reported by the page itself: a CSP violation is an event on the document.
  // (A string: this project's TypeScript has no DOM types; the browser runs it as given.)
  await context.addInitScript({
    content: "document.addEventListener('securitypolicyviolation', (e) => console.error('CSP violation: ' + e.violatedDirective + ' ' + e.blockedURI));",
  });
  return {
    context,
    problems,
    newPage: () => context.newPage(),
    close: async () => {
      await context.close().catch(() => undefined);
      rmSync(profile, { recursive: true, force: true });
    },
  };
}

/** A fresh Chromium and one tab in it, whose waits give up after `timeoutMs`. */
export async function launchBrowserWithPage(timeoutMs = 20_000): Promise<{ browser: Browser; page: Page }> {
  const browser = await launchBrowser();
  const page = await browser.newPage();
  page.setDefaultTimeout(timeoutMs);
  return { browser, page };
}
