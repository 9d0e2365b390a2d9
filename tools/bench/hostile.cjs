#!/usr/bin/env node
// `npm run bench -- --hostile`: can one reader take the all-in-one registry down? Seeds a registry with many
// versions carrying long descriptions, then fires a burst of worst-case reader queries (many ILIKE predicates
// full of wildcards, the largest page, ordered by description) from a few principals, plus integrity checks of
// the largest model, while a probe calls /health every few milliseconds. Prints ONE JSON document on stdout:
// /health latency while the burst runs (p50, p99, max, failures) and how each hostile request ended (status
// counts, slowest answer). Progress goes to stderr.
//
// Knobs (env): MREG_BENCH_HOSTILE_VERSIONS=1500  MREG_BENCH_HOSTILE_MODELS=10  MREG_BENCH_HOSTILE_QUERIES=100
// MREG_BENCH_HOSTILE_PREDICATES=50  MREG_BENCH_HOSTILE_PRINCIPALS=10  MREG_BENCH_HOSTILE_CAP_S=180
'use strict';
const { spawn } = require('node:child_process');
const fs = require('node:fs');
const os = require('node:os');
const path = require('node:path');
const { setTimeout: sleep } = require('node:timers/promises');
const { appEntry, buildApps } = require('../build/nx.cjs');
const { envInt, freePort } = require('./lib.cjs');

const OPTIONS = {
  versions: envInt('MREG_BENCH_HOSTILE_VERSIONS', 1500),
  models: envInt('MREG_BENCH_HOSTILE_MODELS', 10),
  queries: envInt('MREG_BENCH_HOSTILE_QUERIES', 100),
  predicates: envInt('MREG_BENCH_HOSTILE_PREDICATES', 50),
  principals: envInt('MREG_BENCH_HOSTILE_PRINCIPALS', 10),
  capS: envInt('MREG_BENCH_HOSTILE_CAP_S', 180),
};

const log = (message) => process.stderr.write(`[hostile] ${message}\n`);

/** Tokens: an admin that seeds, and `principals` readers that attack. */
function tokens() {
  /** @type {Record<string, { user: string; roles: string[] }>} */
  const all = { 'hostile-bench-admin-token-0001': { user: 'seed', roles: ['admin'] } };
  for (let i = 0; i < OPTIONS.principals; i++) all[`hostile-bench-reader-token-${String(i).padStart(4, '0')}`] = { user: `reader${i}`, roles: ['reader'] };
  return all;
}

/** p50/p99/max of a list of milliseconds. */
function percentiles(values) {
  const sorted = [...values].sort((a, b) => a - b);
  const at = (q) => (sorted.length === 0 ? null : Math.round(sorted[Math.min(sorted.length - 1, Math.floor(q * sorted.length))] * 10) / 10);
  return { count: sorted.length, p50Ms: at(0.5), p99Ms: at(0.99), maxMs: sorted.length === 0 ? null : Math.round(sorted[sorted.length - 1] * 10) / 10 };
}

async function call(base, token, method, urlPath, body) {
  const started = performance.now();
  try {
    const reply = await fetch(`${base}${urlPath}`, {
      method,
      headers: { authorization: `Bearer ${token}`, ...(body === undefined ? {} : { 'content-type': 'application/json' }) },
      ...(body === undefined ? {} : { body: JSON.stringify(body) }),
      signal: AbortSignal.timeout(OPTIONS.capS * 1000),
    });
    const text = await reply.text();
    let json;
    try {
      json = JSON.parse(text);
    } catch {
      json = undefined;
    }
    return { status: reply.status, ms: performance.now() - started, json };
  } catch (error) {
    return { status: 0, ms: performance.now() - started, error: error instanceof Error ? error.message : String(error) };
  }
}

async function start(workDir) {
  const port = await freePort();
  const logFile = path.join(workDir, 'mreg.log');
  const out = fs.openSync(logFile, 'a');
  const child = spawn(process.execPath, ['--disable-warning=ExperimentalWarning', appEntry('mreg')], {
    env: { ...process.env, PORT: String(port), MREG_HOST: '127.0.0.1', MREG_DATA_DIR: path.join(workDir, 'data'), MREG_TOKENS: JSON.stringify(tokens()), MREG_LOG_LEVEL: 'warn' },
    stdio: ['ignore', out, out],
  });
  fs.closeSync(out);
  const base = `http://127.0.0.1:${port}`;
  for (const until = Date.now() + 60_000; Date.now() < until; await sleep(100)) {
    if (child.exitCode !== null) break;
    try {
      if ((await fetch(`${base}/health`)).ok) return { child, base };
    } catch {
      // not listening yet
    }
  }
  child.kill('SIGKILL');
  throw new Error(`the registry did not start; see ${logFile}`);
}

/** Models with versions whose descriptions are long: the text the hostile filters scan. */
async function seed(base, admin) {
  const description = 'a model version trained on transactions of the third quarter, calibrated '.repeat(60).slice(0, 4500);
  const names = Array.from({ length: OPTIONS.models }, (_, i) => `hostile-${i}`);
  for (const name of names) await call(base, admin, 'POST', '/api/v1/models', { name, description });
  let next = 0;
  const worker = async () => {
    while (next < OPTIONS.versions) {
      const i = next++;
      const reply = await call(base, admin, 'POST', `/api/v1/models/${names[i % names.length]}/versions`, { description: `${i} ${description}` });
      if (reply.status !== 201) throw new Error(`seeding version ${i}: ${reply.status} ${JSON.stringify(reply.json)}`);
    }
  };
  const started = performance.now();
  await Promise.all(Array.from({ length: 8 }, worker));
  return { versions: OPTIONS.versions, models: OPTIONS.models, seconds: Math.round((performance.now() - started) / 100) / 10 };
}

function hostileFilter(seed) {
  return Array.from({ length: OPTIONS.predicates }, (_, i) => `description ILIKE '%a%${seed}${i}%b%c%d%e%f%g%h%i%j%k%l%m%n%zz'`).join(' OR ');
}

async function main() {
  const built = await buildApps(['mreg']);
  if (!built.ok) throw new Error('build failed (nx run-many -t build, output above)');
  const workDir = fs.mkdtempSync(path.join(os.tmpdir(), 'mreg-hostile-'));
  const { child, base } = await start(workDir);
  const all = Object.keys(tokens());
  const admin = all[0];
  const readers = all.slice(1);
  try {
    log(`seeding ${OPTIONS.versions} versions over ${OPTIONS.models} models`);
    const seeded = await seed(base, admin);

    // /health every 10 ms while the burst runs.
    const health = [];
    let healthFailures = 0;
    let probing = true;
    const probe = (async () => {
      while (probing) {
        const started = performance.now();
        try {
          const reply = await fetch(`${base}/health`, { signal: AbortSignal.timeout(OPTIONS.capS * 1000) });
          await reply.arrayBuffer();
          if (!reply.ok) healthFailures++;
        } catch {
          healthFailures++;
        }
        health.push(performance.now() - started);
        await sleep(10);
      }
    })();

    log(`${OPTIONS.queries} worst-case queries (${OPTIONS.predicates} ILIKE predicates each) from ${readers.length} readers, plus integrity checks`);
    const started = performance.now();
    const requests = Array.from({ length: OPTIONS.queries }, (_, i) => {
      const token = readers[i % readers.length];
      if (i % 10 === 9) return call(base, token, 'GET', `/api/v1/models/hostile-0/integrity`).then((r) => ({ kind: 'integrity', ...r }));
      const query = `pageSize=1000&orderBy=description&filter=${encodeURIComponent(hostileFilter(i))}`;
      return call(base, token, 'GET', `/api/v1/versions?${query}`).then((r) => ({ kind: 'query', ...r }));
    });
    const outcomes = await Promise.all(requests);
    const burstSeconds = (performance.now() - started) / 1000;
    probing = false;
    await probe;

    /** @type {Record<string, Record<string, number>>} */
    const ended = {};
    for (const o of outcomes) {
      const key = o.status === 400 && /query too expensive/.test(JSON.stringify(o.json)) ? '400 query too expensive' : String(o.status);
      ended[o.kind] = ended[o.kind] ?? {};
      ended[o.kind][key] = (ended[o.kind][key] ?? 0) + 1;
    }
    const report = {
      benchmark: 'hostile readers against the all-in-one registry',
      machine: { cpus: os.cpus().length, node: process.version },
      seeded,
      burst: { requests: outcomes.length, seconds: Math.round(burstSeconds * 10) / 10, ended, answerMs: percentiles(outcomes.map((o) => o.ms)), serverErrors: outcomes.filter((o) => o.status >= 500 || o.status === 0).length },
      health: { ...percentiles(health), failures: healthFailures, targetP99Ms: 100 },
    };
    process.stdout.write(`${JSON.stringify(report, null, 2)}\n`);
  } finally {
    child.kill('SIGTERM');
    fs.rmSync(workDir, { recursive: true, force: true });
  }
}

module.exports = { main };

if (require.main === module) {
  main().catch((error) => {
    process.stderr.write(`${error instanceof Error ? (error.stack ?? error.message) : String(error)}\n`);
    process.exit(1);
  });
}
