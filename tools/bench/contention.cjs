#!/usr/bin/env node
// `npm run bench -- --contention`: many writers on one model, the hyper-parameter sweep that registers its
// winners at once. For each client count, a fresh model gets `versions` versions from that many concurrent
// clients on the all-in-one registry, every write answered with read-your-writes (201 once the version is
// readable). Prints ONE JSON document on stdout: per client count, versions/s, latency percentiles, statuses,
// and the p50 per block of versions (does a write get slower as the model grows?). Progress goes to stderr.
//
// Knobs (env): MREG_BENCH_CONTENTION_VERSIONS=2000  MREG_BENCH_CONTENTION_CLIENTS=1,16  MREG_BENCH_CONTENTION_BLOCK=500
// MREG_BENCH_CONTENTION_CAP_S=300 (per client count)
'use strict';
const os = require('node:os');
const { envInt, percentiles, request, runIfMain, withEmbedded } = require('./lib.cjs');

const OPTIONS = {
  versions: envInt('MREG_BENCH_CONTENTION_VERSIONS', 2000),
  clients: (process.env.MREG_BENCH_CONTENTION_CLIENTS || '1,16').split(',').map((n) => {
    const clients = Number(n);
    if (!Number.isInteger(clients) || clients < 1) throw new Error(`MREG_BENCH_CONTENTION_CLIENTS: a list of positive integers, got "${n}"`);
    return clients;
  }),
  block: envInt('MREG_BENCH_CONTENTION_BLOCK', 500),
  capS: envInt('MREG_BENCH_CONTENTION_CAP_S', 300),
};

const TOKEN = 'contention-bench-token-0001';
const log = (message) => process.stderr.write(`[contention] ${message}\n`);

/** `clients` writers register `versions` versions of one new model; every answer's status and time. */
async function round(base, clients) {
  const model = `contention-${clients}-${Date.now()}`;
  const created = await request(base, TOKEN, 'POST', '/api/v1/models', { name: model }, 30_000);
  if (created.status !== 201) throw new Error(`creating ${model}: ${created.status} ${JSON.stringify(created.json)}`);
  const results = [];
  const deadline = Date.now() + OPTIONS.capS * 1000;
  let next = 0;
  const writer = async () => {
    while (next < OPTIONS.versions && Date.now() < deadline) {
      const i = next++;
      const reply = await request(base, TOKEN, 'POST', `/api/v1/models/${model}/versions`, { params: { lr: String(i) }, metrics: { auc: 0.5 + (i % 500) / 1000 } }, OPTIONS.capS * 1000);
      results.push({ i, status: reply.status, ms: reply.ms, version: reply.json?.version });
    }
  };
  const started = performance.now();
  await Promise.all(Array.from({ length: clients }, writer));
  const seconds = (performance.now() - started) / 1000;
  const ok = results.filter((r) => r.status === 201);
  /** @type {Record<string, number>} */
  const statuses = {};
  for (const r of results) statuses[r.status] = (statuses[r.status] ?? 0) + 1;
  // Blocks by version number: how a write's latency moves as the model grows.
  const blocks = [];
  for (let from = 1; from <= OPTIONS.versions; from += OPTIONS.block) {
    const inBlock = ok.filter((r) => r.version >= from && r.version < from + OPTIONS.block).map((r) => r.ms);
    if (inBlock.length > 0) blocks.push({ versions: `${from}-${from + OPTIONS.block - 1}`, p50Ms: percentiles(inBlock).p50Ms });
  }
  const numbers = ok.map((r) => r.version).sort((a, b) => a - b);
  const gapless = numbers.every((v, i) => v === i + 1);
  return {
    clients,
    versions: ok.length,
    seconds: Math.round(seconds * 10) / 10,
    versionsPerSecond: Math.round((ok.length / seconds) * 10) / 10,
    latency: percentiles(ok.map((r) => r.ms)),
    statuses,
    numbersOneToN: gapless,
    p50ByBlock: blocks,
  };
}

async function main() {
  await withEmbedded('mreg-contention-', { [TOKEN]: { user: 'sweep', roles: ['admin'] } }, async (base) => {
    const rounds = [];
    for (const clients of OPTIONS.clients) {
      log(`${clients} client(s) registering ${OPTIONS.versions} versions of one model`);
      rounds.push(await round(base, clients));
    }
    const report = {
      benchmark: 'concurrent writers on one model, all-in-one registry, read-your-writes',
      machine: { cpus: os.cpus().length, node: process.version, loadAverage: os.loadavg().map((l) => Math.round(l * 100) / 100) },
      goal: { clients: 16, versionsPerSecond: 1000, p99Ms: 50 },
      rounds,
    };
    process.stdout.write(`${JSON.stringify(report, null, 2)}\n`);
  });
}

module.exports = { main };
runIfMain(module, main);
