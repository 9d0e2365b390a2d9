#!/usr/bin/env node
/// <reference lib="dom" />
// `npm run bench -- --console`: how fast the web console shows a usable catalog on a registry of 10,000 versions,
// and whether any request it makes costs more as the registry grows. Two all-in-one registries run side by side:
// a small one (100 versions, still enough models to fill the catalog's first page) and a large one (10,000
// versions over about 300 models, one of them with a tenth of the versions), both seeded through the HTTP API with
// tools/bench/reads.cjs's seeder. Debian's Chromium (driven by playwright-core, as the browser tests do) signs in
// through the sign-in page, then opens the catalog (/models) and the version search (/versions) on each registry in
// turn (which goes first alternates):
//   cold  a fresh browser context each time (empty HTTP cache), the token already in the tab's sessionStorage
//   warm  the same tab navigating to the page again (the app's assets cached)
// "Usable" is the moment the page's table shows rows and its filter box is enabled, measured in the page itself
// (performance.now(): milliseconds since navigation start). Every request the page made until then (and in the
// half second after) is listed: method, path with query keys but not values, response bytes, duration. A request
// is flagged as growing when its median response size (more than 1.2x and 512 bytes) or duration (more than 1.5x
// and 20 ms) is larger on the large registry than on the small one.
//
// Prints ONE JSON document on stdout; progress goes to stderr. --quick: 2,000 versions, 2 cold and 2 warm runs.
// Knobs (env): MREG_BENCH_CONSOLE_VERSIONS=10000  MREG_BENCH_CONSOLE_SMALL=100  MREG_BENCH_CONSOLE_RUNS=5 (cold and
// warm runs each, per page and registry)  MREG_CHROMIUM=/usr/bin/chromium
'use strict';
const fs = require('node:fs');
const os = require('node:os');
const path = require('node:path');
const { buildApps } = require('../build/nx.cjs');
const { envInt, runIfMain, withEmbedded } = require('./lib.cjs');
const { Seeder, TOKEN } = require('./reads.cjs');

const QUICK = process.argv.includes('--quick');
const OPTIONS = {
  versions: envInt('MREG_BENCH_CONSOLE_VERSIONS', QUICK ? 2000 : 10000, 100),
  smallVersions: envInt('MREG_BENCH_CONSOLE_SMALL', 100, 30),
  runs: envInt('MREG_BENCH_CONSOLE_RUNS', QUICK ? 2 : 5),
  // Versions per small model: ~300 models at 10,000 versions; the small registry's 3 give it 30 models, so the
  // catalog's first page (25 models) is as full on both and their sizes compare.
  perModel: 30,
  smallPerModel: 3,
  goalMs: 1000,
};

const CHROMIUM = process.env.MREG_CHROMIUM || '/usr/bin/chromium';
// As libs/testing/e2e/src/browser.ts: without the background-networking flags Chromium keeps calling home.
const CHROMIUM_ARGS = ['--headless', '--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run', '--disable-background-networking', '--disable-component-update', '--disable-sync'];
const CONSOLE_DIST = path.resolve(__dirname, '..', '..', 'apps', 'console', 'dist');

/** The pages measured: their path, and the table that shows their first page. */
const PAGES = {
  catalog: { path: '/models', table: 'models' },
  versionSearch: { path: '/versions', table: 'versions' },
};

const log = (message) => process.stderr.write(`[console] ${message}\n`);
const round1 = (n) => Math.round(n * 10) / 10;
const median = (values) => {
  const sorted = values.filter((v) => Number.isFinite(v)).sort((a, b) => a - b);
  if (sorted.length === 0) return null;
  const mid = Math.floor(sorted.length / 2);
  return round1(sorted.length % 2 ? sorted[mid] : (sorted[mid - 1] + sorted[mid]) / 2);
};
const stats = (values) => ({ medianMs: median(values), minMs: round1(Math.min(...values)), maxMs: round1(Math.max(...values)), runs: values.map(round1) });

/** Chromium, or an error that says why it could not start (never a skip). */
async function launchChromium() {
  const { chromium } = require('playwright-core');
  if (!fs.existsSync(CHROMIUM)) throw new Error(`no Chromium at ${CHROMIUM}: install it (apt-get install -y chromium; .ci/run does) or set MREG_CHROMIUM`);
  try {
    return await chromium.launch({ executablePath: CHROMIUM, headless: true, args: CHROMIUM_ARGS, timeout: 60_000 });
  } catch (error) {
    throw new Error(`Chromium (${CHROMIUM}) could not start: ${error instanceof Error ? error.message : String(error)}`);
  }
}

/** A path with its query's keys but not their values (pageSize keeps its value: it bounds the answer). */
function shape(url) {
  const u = new URL(url);
  const keys = [...new Set(u.searchParams.keys())].sort();
  return keys.length === 0 ? u.pathname : `${u.pathname}?${keys.map((k) => (k === 'pageSize' ? `pageSize=${u.searchParams.get(k)}` : `${k}=`)).join('&')}`;
}

/** A browser context whose tabs hold the token (as a tab that signed in does), its problems collected. */
async function signedInContext(browser, problems) {
  const context = await browser.newContext({ viewport: { width: 1366, height: 860 } });
  // Not on the tab's first about:blank, whose storage is not the registry's (and refuses access).
  await context.addInitScript({ content: `if (location.protocol === 'http:') window.sessionStorage.setItem('mreg.token', ${JSON.stringify(TOKEN)});` });
  context.on('page', (page) => {
    page.on('console', (m) => {
      if (m.type() === 'error') problems.push(`console: ${m.text()}`);
    });
    page.on('pageerror', (e) => problems.push(`page error: ${e.message}`));
  });
  return context;
}

/** Signs in through the sign-in page (the flow a person follows), then checks the catalog opens. */
async function signInThroughThePage(browser, base) {
  const context = await browser.newContext();
  try {
    const page = await context.newPage();
    await page.goto(`${base}/sign-in`);
    await page.getByLabel('Token').fill(TOKEN);
    await page.getByRole('button', { name: 'Sign in', exact: true }).click();
    await page.getByTestId('user').filter({ hasText: 'reads-bench' }).waitFor({ timeout: 30_000 });
    await page.getByTestId('models').locator('tbody tr').first().waitFor({ timeout: 30_000 });
  } finally {
    await context.close();
  }
}

/**
 * One navigation of `page` to a console page: the time from navigation start until its table has rows and its
 * filter box is enabled, paint times, and every request it made (those started after `usable` are marked).
 */
async function visit(page, base, which) {
  const spec = PAGES[which];
  const requests = [];
  const pending = [];
  const onFinished = (request) => {
    if (!request.url().startsWith(base)) return;
    pending.push(
      (async () => {
        const response = await request.response();
        const sizes = await request.sizes().catch(() => ({ responseBodySize: -1 }));
        const timing = request.timing();
        requests.push({
          url: request.url(),
          method: request.method(),
          path: shape(request.url()),
          type: request.resourceType(),
          status: response ? response.status() : 0,
          bytes: sizes.responseBodySize,
          ms: timing.responseEnd >= 0 ? round1(timing.responseEnd) : null,
          startedAt: timing.startTime,
        });
      })(),
    );
  };
  page.on('requestfinished', onFinished);
  try {
    await page.goto(`${base}${spec.path}`, { waitUntil: 'commit', timeout: 60_000 });
    const usable = await page.waitForFunction(
      // Runs in the page.
      /* global document */
      (testId) => {
        const rows = document.querySelectorAll(`[data-testid="${testId}"] tbody tr`).length;
        const box = /** @type {HTMLInputElement | null} */ (document.querySelector('form[role="search"] input[type="search"]'));
        return rows > 0 && box !== null && !box.disabled ? { ms: performance.now(), origin: performance.timeOrigin, rows } : false;
      },
      spec.table,
      { polling: 'raf', timeout: 60_000 },
    );
    const at = await usable.jsonValue();
    // Anything the page asks for right after it is usable (not the 5 s poll) is part of what it needs.
    await page.waitForTimeout(500);
    const { cachedUrls, ...paint } = await page.evaluate(() => {
      const nav = /** @type {PerformanceNavigationTiming | undefined} */ (performance.getEntriesByType('navigation')[0]);
      const fcp = performance.getEntriesByName('first-contentful-paint')[0];
      // Nothing crossed the wire for a resource the HTTP cache answered (same origin, so the sizes are exposed).
      const cached = /** @type {PerformanceResourceTiming[]} */ (performance.getEntriesByType('resource')).filter((e) => e.transferSize === 0 && e.decodedBodySize > 0).map((e) => e.name);
      return { domContentLoadedMs: nav ? nav.domContentLoadedEventEnd : null, firstContentfulPaintMs: fcp ? fcp.startTime : null, cachedUrls: cached };
    });
    await Promise.all(pending);
    const usableAt = at.origin + at.ms;
    return {
      usableMs: at.ms,
      rows: at.rows,
      ...paint,
      requests: requests.sort((a, b) => a.startedAt - b.startedAt).map(({ startedAt, url, ...r }) => ({ ...r, ...(cachedUrls.includes(url) ? { cached: true } : {}), ...(startedAt > usableAt ? { afterUsable: true } : {}) })),
    };
  } finally {
    page.off('requestfinished', onFinished);
  }
}

/** Cold and warm visits of every page on both registries, alternating which registry goes first. */
async function measure(browser, targets) {
  const problems = [];
  const out = Object.fromEntries(targets.map((t) => [t.name, Object.fromEntries(Object.keys(PAGES).map((p) => [p, { cold: [], warm: [] }]))]));
  for (let run = 0; run < OPTIONS.runs; run++) {
    const order = run % 2 === 0 ? targets : [...targets].reverse();
    for (const which of Object.keys(PAGES)) {
      for (const target of order) {
        const context = await signedInContext(browser, problems);
        try {
          const page = await context.newPage();
          out[target.name][which].cold.push(await visit(page, target.base, which));
          out[target.name][which].warm.push(await visit(page, target.base, which));
        } finally {
          await context.close();
        }
      }
    }
    log(`run ${run + 1} of ${OPTIONS.runs} done`);
  }
  return { visits: out, problems };
}

/** Per request (method and shape): how often per visit, median bytes and duration, over cold and warm visits. */
function requestTable(visits, apiOnly) {
  const byKey = new Map();
  const all = [...visits.cold, ...visits.warm];
  for (const v of all) {
    for (const r of v.requests) {
      const isApi = r.path.startsWith('/api/');
      if (apiOnly !== isApi) continue;
      const key = `${r.method} ${r.path}`;
      const entry = byKey.get(key) ?? { method: r.method, path: r.path, type: r.type, statuses: {}, bytes: [], ms: [], count: 0, cached: 0, afterUsable: 0 };
      entry.count++;
      if (r.cached) entry.cached++;
      entry.statuses[r.status] = (entry.statuses[r.status] ?? 0) + 1;
      if (r.bytes >= 0) entry.bytes.push(r.bytes);
      if (r.ms !== null) entry.ms.push(r.ms);
      if (r.afterUsable) entry.afterUsable++;
      byKey.set(key, entry);
    }
  }
  return [...byKey.values()].map((e) => ({
    method: e.method,
    path: e.path,
    ...(apiOnly ? {} : { type: e.type }),
    perVisit: round1(e.count / all.length),
    statuses: e.statuses,
    bytes: Math.round(median(e.bytes) ?? -1),
    ms: median(e.ms),
    ...(e.cached ? { fromCache: e.cached } : {}),
    ...(e.afterUsable ? { afterUsable: e.afterUsable } : {}),
  }));
}

function pageReport(visits) {
  return {
    usable: { cold: stats(visits.cold.map((v) => v.usableMs)), warm: stats(visits.warm.map((v) => v.usableMs)) },
    firstContentfulPaint: { coldMedianMs: median(visits.cold.map((v) => v.firstContentfulPaintMs)), warmMedianMs: median(visits.warm.map((v) => v.firstContentfulPaintMs)) },
    rows: median([...visits.cold, ...visits.warm].map((v) => v.rows)),
    apiRequests: requestTable(visits, true),
    assets: requestTable(visits, false),
  };
}

/** The requests whose size or duration grows from the small registry to the large one (or appear on one only). */
function growing(small, large) {
  const flagged = [];
  for (const which of Object.keys(PAGES)) {
    const before = new Map(small[which].apiRequests.map((r) => [`${r.method} ${r.path}`, r]));
    const after = new Map(large[which].apiRequests.map((r) => [`${r.method} ${r.path}`, r]));
    for (const key of new Set([...before.keys(), ...after.keys()])) {
      const s = before.get(key);
      const l = after.get(key);
      if (!s || !l) {
        flagged.push({ page: which, request: key, why: `made on the ${s ? 'small' : 'large'} registry only` });
        continue;
      }
      const bytesGrow = l.bytes > s.bytes * 1.2 && l.bytes - s.bytes > 512;
      const msGrow = l.ms > s.ms * 1.5 && l.ms - s.ms > 20;
      if (bytesGrow || msGrow || l.perVisit > s.perVisit) flagged.push({ page: which, request: key, small: { bytes: s.bytes, ms: s.ms, perVisit: s.perVisit }, large: { bytes: l.bytes, ms: l.ms, perVisit: l.perVisit } });
    }
  }
  return flagged;
}

/** The growth of every API request, small → large, for the summary. */
function comparison(small, large) {
  return Object.fromEntries(
    Object.keys(PAGES).map((which) => [
      which,
      large[which].apiRequests.map((l) => {
        const s = small[which].apiRequests.find((r) => r.method === l.method && r.path === l.path);
        return { request: `${l.method} ${l.path}`, bytes: [s?.bytes ?? null, l.bytes], ms: [s?.ms ?? null, l.ms] };
      }),
    ]),
  );
}

async function main() {
  const started = Date.now();
  const loadAverageBefore = os.loadavg().map((l) => Math.round(l * 100) / 100);
  // mreg depends on the console (implicitly), so this builds apps/console/dist too; checked, as it is served from there.
  const built = await buildApps(['mreg', 'console']);
  if (!built.ok) throw new Error('build failed (nx run-many -t build, output above)');
  if (!fs.existsSync(path.join(CONSOLE_DIST, 'index.html'))) throw new Error(`no console build at ${CONSOLE_DIST} (npm run build)`);
  // The browser first: if it cannot start, say so before minutes of seeding.
  const browser = await launchChromium();
  try {
    const tokens = { [TOKEN]: { user: 'reads-bench', roles: ['admin'] } };
    const report = await withEmbedded('mreg-console-small-', tokens, (smallBase) =>
      withEmbedded('mreg-console-large-', tokens, async (largeBase) => {
        log(`seeding the small registry with ${OPTIONS.smallVersions} versions`);
        const smallSeeder = new Seeder(smallBase, OPTIONS.smallPerModel);
        const noCap = Date.now() + 3_600_000;
        await smallSeeder.seedTo(OPTIONS.smallVersions, noCap);
        log(`seeding the large registry with ${OPTIONS.versions} versions`);
        const largeSeeder = new Seeder(largeBase, OPTIONS.perModel);
        const seeding = await largeSeeder.seedTo(OPTIONS.versions, noCap);
        log(`seeded ${largeSeeder.next} versions over ${largeSeeder.models.size} models in ${seeding.seconds} s; signing in`);
        await signInThroughThePage(browser, smallBase);
        await signInThroughThePage(browser, largeBase);
        const loadAverageDuring = os.loadavg().map((l) => Math.round(l * 100) / 100);
        const { visits, problems } = await measure(browser, [
          { name: 'small', base: smallBase },
          { name: 'large', base: largeBase },
        ]);
        const small = Object.fromEntries(Object.keys(PAGES).map((p) => [p, pageReport(visits.small[p])]));
        const large = Object.fromEntries(Object.keys(PAGES).map((p) => [p, pageReport(visits.large[p])]));
        const growingRequests = growing(small, large);
        const catalog = large.catalog.usable;
        return {
          benchmark: "the web console's first render in Chromium: navigation start to a usable catalog and version search, and the API requests they make, on a small and a large all-in-one registry",
          machine: { cpus: os.cpus().length, cpuModel: os.cpus()[0]?.model ?? 'unknown', node: process.version, loadAverageBefore, loadAverageDuring, loadAverageAfter: os.loadavg().map((l) => Math.round(l * 100) / 100) },
          options: { ...OPTIONS, quick: QUICK, chromium: CHROMIUM },
          registries: {
            small: { versions: smallSeeder.next, models: smallSeeder.models.size },
            large: { versions: largeSeeder.next, models: largeSeeder.models.size, seeding },
          },
          goal: `a usable catalog (rows shown, filter box enabled) within ${OPTIONS.goalMs} ms of navigation start (median, cold and warm) at ${OPTIONS.versions} versions, and no request whose size or duration grows with the registry`,
          goalMet: catalog.cold.medianMs !== null && catalog.warm.medianMs !== null && catalog.cold.medianMs < OPTIONS.goalMs && catalog.warm.medianMs < OPTIONS.goalMs,
          noRequestGrows: growingRequests.length === 0,
          summary: {
            catalogUsableMs: { cold: catalog.cold.medianMs, warm: catalog.warm.medianMs },
            versionSearchUsableMs: { cold: large.versionSearch.usable.cold.medianMs, warm: large.versionSearch.usable.warm.medianMs },
            apiRequestsSmallToLarge: comparison(small, large),
          },
          growingRequests,
          pages: { small, large },
          problems: [...new Set(problems)],
          wallSeconds: Math.round((Date.now() - started) / 1000),
        };
      }),
    );
    process.stdout.write(`${JSON.stringify(report, null, 2)}\n`);
  } finally {
    await browser.close().catch(() => undefined);
  }
}

module.exports = { main };

runIfMain(module, main);
