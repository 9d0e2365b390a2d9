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
const os = require('node:os');
const { setTimeout: sleep } = require('node:timers/promises');
const { envInt, percentiles, request, runIfMain, withEmbedded } = require('./lib.cjs');

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

const call = (base, token, method, urlPath, body) => request(base, token, method, urlPath, body, OPTIONS.capS * 1000);

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
  const all = Object.keys(tokens());
  const admin = all[0];
  const readers = all.slice(1);
  await withEmbedded('mreg-hostile-', tokens(), async (base) => {
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
  });
}

module.exports = { main };

runIfMain(module, main);
