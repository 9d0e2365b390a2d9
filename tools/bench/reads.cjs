#!/usr/bin/env node
// `npm run bench -- --reads`: do reads and writes stay flat as the registry grows? Two all-in-one registries run
// side by side: the reference, seeded once with MREG_BENCH_READS_REFERENCE versions (a nearly empty registry, just
// large enough that every route fills the page it asks for, so both render as much), and one that grows, seeded
// through its HTTP API (several clients, read-your-writes: the real write path) up to each size in turn. At each
// size every read route of the catalog and MLflow's registry reads, and sequential writes, are timed on both, one
// request on each in turn (the order alternating), so both see the same machine: the ratio of their p50s is the
// answer. Prints ONE JSON document on stdout: per size and route, p50/p95 on each, the servers' CPU time per
// request, the statuses, and the ratios. Progress goes to stderr.
//
// The data: one large model ("reads-large") gets every tenth version; the others go to small models of 100
// versions each ("reads-00000", …; at least ten). Every version carries tags batch (0-9) and team (t0-t6), so a
// two-tag filter matches one version in seventy, and a tag value no version has matches none. No version leaves
// development, so the stage filter matches nothing.
//
// Knobs (env): MREG_BENCH_READS_SIZES=10000,100000 (total versions at each measurement)
// MREG_BENCH_READS_REFERENCE=600 (versions of the reference registry)  MREG_BENCH_READS_CLIENTS=8 (seeding clients)
// MREG_BENCH_READS_SAMPLES=30 (requests per route, size and registry)  MREG_BENCH_READS_WRITES=40 (sequential writes
// timed per model, size and registry)  MREG_BENCH_READS_CAP_S=1800 (seeding, whole run)
'use strict';
const fs = require('node:fs');
const os = require('node:os');
const { envInt, percentiles, request, runIfMain, withEmbedded } = require('./lib.cjs');

const OPTIONS = {
  sizes: (process.env.MREG_BENCH_READS_SIZES || '10000,100000').split(',').map((n) => {
    const size = Number(n);
    if (!Number.isInteger(size) || size < 20) throw new Error(`MREG_BENCH_READS_SIZES: a list of integers >= 20, got "${n}"`);
    return size;
  }),
  reference: envInt('MREG_BENCH_READS_REFERENCE', 600, 20),
  clients: envInt('MREG_BENCH_READS_CLIENTS', 8),
  samples: envInt('MREG_BENCH_READS_SAMPLES', 30),
  writes: envInt('MREG_BENCH_READS_WRITES', 40),
  capS: envInt('MREG_BENCH_READS_CAP_S', 1800),
};

const TOKEN = 'reads-bench-token-0001';
const LARGE = 'reads-large';
const SMALL_MODEL_VERSIONS = 100;
const log = (message) => process.stderr.write(`[reads] ${message}\n`);
const smallName = (k) => `reads-${String(k).padStart(5, '0')}`;
const round1 = (n) => Math.round(n * 10) / 10;

/** CPU time (user + system, ms) the server process has used, threads included (Linux /proc). */
function serverCpuMs(pid) {
  try {
    const stat = fs.readFileSync(`/proc/${pid}/stat`, 'utf8');
    // Fields after the command name, which is in parentheses and may contain spaces.
    const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
    const ticks = Number(fields[11]) + Number(fields[12]);
    return (ticks * 1000) / 100;
  } catch {
    return Number.NaN;
  }
}

/**
 * The version bodies: tags for the filters, a metric and a parameter like a real registration. The tags follow
 * i / 10, so the versions of every model (the large one gets every tenth) take all their values: batch one in ten,
 * batch and team together one in seventy.
 */
function versionBody(i) {
  const k = Math.floor(i / 10);
  return { description: `version ${i} of the reads bench`, tags: { batch: String(k % 10), team: `t${k % 7}` }, params: { lr: String(i % 100) }, metrics: { auc: 0.5 + (i % 500) / 1000 } };
}

/** The model version `i` (0-based, over the whole run) goes to; `perModel` versions fill each small model. */
function modelOf(i, perModel = SMALL_MODEL_VERSIONS) {
  if (i % 10 === 0) return LARGE;
  const small = i - Math.floor(i / 10) - 1;
  return smallName(Math.floor(small / perModel));
}

class Seeder {
  /** `perModel`: versions per small model (tools/bench/console.cjs spreads them over more models). */
  constructor(base, perModel = SMALL_MODEL_VERSIONS) {
    this.base = base;
    this.perModel = perModel;
    this.next = 0;
    this.models = new Set();
    this.statuses = {};
    this.latency = [];
  }

  async ensureModel(name) {
    if (this.models.has(name)) return;
    const reply = await request(this.base, TOKEN, 'POST', '/api/v1/models', { name }, 60_000);
    if (reply.status !== 201 && reply.status !== 409) throw new Error(`creating ${name}: ${reply.status} ${JSON.stringify(reply.json)}`);
    this.models.add(name);
  }

  /** Registers versions until `total` exist (or the deadline passes); the models come first. */
  async seedTo(total, deadline) {
    const started = performance.now();
    const from = this.next;
    for (let k = 0; k < 10; k++) await this.ensureModel(smallName(k));
    await this.ensureModel(LARGE);
    for (let i = from; i < total; i++) await this.ensureModel(modelOf(i, this.perModel));
    const latency = [];
    const writer = async () => {
      while (this.next < total && Date.now() < deadline) {
        const i = this.next++;
        const reply = await request(this.base, TOKEN, 'POST', `/api/v1/models/${modelOf(i, this.perModel)}/versions`, versionBody(i), 60_000);
        this.statuses[reply.status] = (this.statuses[reply.status] ?? 0) + 1;
        if (reply.status !== 201) throw new Error(`version ${i}: ${reply.status} ${JSON.stringify(reply.json)}`);
        latency.push(reply.ms);
        if ((i + 1) % 5000 === 0) log(`  ${i + 1} versions`);
      }
    };
    await Promise.all(Array.from({ length: OPTIONS.clients }, writer));
    const seconds = (performance.now() - started) / 1000;
    return { versions: this.next - from, seconds: round1(seconds), versionsPerSecond: round1((this.next - from) / seconds), latency: percentiles(latency) };
  }
}

/** The routes timed at each size, as [name, path]. */
function routes(seeded) {
  const small = smallName(0);
  const largeVersions = Math.ceil(seeded / 10);
  const twoTags = encodeURIComponent("tags.batch = '3' AND tags.team = 't3'");
  const q = encodeURIComponent;
  return [
    ['large model: versions (newest first)', `/api/v1/models/${LARGE}/versions`],
    ['large model: versions in a stage', `/api/v1/models/${LARGE}/versions?filter=${q("stage = 'staging'")}`],
    ['large model: versions with two tags', `/api/v1/models/${LARGE}/versions?filter=${twoTags}`],
    ['large model: versions with a tag none has', `/api/v1/models/${LARGE}/versions?filter=${q("tags.batch = 'none'")}`],
    ['large model: versions by createdAt', `/api/v1/models/${LARGE}/versions?orderBy=${q('createdAt desc')}`],
    ['small model: versions', `/api/v1/models/${small}/versions`],
    ['all versions (newest first)', '/api/v1/versions'],
    ['all versions with two tags', `/api/v1/versions?filter=${twoTags}`],
    ['models (by name)', '/api/v1/models?pageSize=10'],
    ['models by name prefix', `/api/v1/models?filter=${q("name LIKE 'reads-0000%'")}`],
    ['model by name', `/api/v1/models/${LARGE}`],
    ['version by number', `/api/v1/models/${LARGE}/versions/${Math.max(1, Math.floor(largeVersions / 2))}`],
    ['large model: history', `/api/v1/models/${LARGE}/history`],
    ['transitions', '/api/v1/transitions'],
    ['mlflow: search versions by name', `/api/2.0/mlflow/model-versions/search?max_results=50&filter=${q(`name = '${LARGE}'`)}`],
    ['mlflow: search versions by name and tag', `/api/2.0/mlflow/model-versions/search?max_results=50&filter=${q(`name = '${LARGE}' AND tags.batch = '3'`)}`],
    ['mlflow: search models by prefix', `/api/2.0/mlflow/registered-models/search?filter=${q("name LIKE 'reads-0000%'")}`],
    ['mlflow: latest versions', `/api/2.0/mlflow/registered-models/get-latest-versions?name=${LARGE}`],
    ['mlflow: get model', `/api/2.0/mlflow/registered-models/get?name=${LARGE}`],
  ];
}

/** p50, p95 and statuses of one route on one registry, with its server's CPU time per request. */
function summary(result) {
  const sorted = [...result.ms].sort((a, b) => a - b);
  const p95 = round1(sorted[Math.min(sorted.length - 1, Math.floor(0.95 * sorted.length))]);
  return { p50Ms: percentiles(result.ms).p50Ms, p95Ms: p95, serverCpuMsPerRequest: round1(result.cpuMs / result.ms.length), statuses: result.statuses };
}

/** One request, timed, with the CPU time its server spent meanwhile. */
async function timed(target, method, urlPath, body, into) {
  const cpuBefore = serverCpuMs(target.pid);
  const reply = await request(target.base, TOKEN, method, urlPath, body, 60_000);
  if (into !== undefined) {
    into.ms.push(reply.ms);
    into.cpuMs += serverCpuMs(target.pid) - cpuBefore;
    into.statuses[reply.status] = (into.statuses[reply.status] ?? 0) + 1;
  }
  return reply;
}

/** @returns {{ ms: number[]; cpuMs: number; statuses: Record<string, number> }} */
const fresh = () => ({ ms: [], cpuMs: 0, statuses: {} });

/**
 * Every route `samples` times on the grown registry and on the reference, one request on each in turn (which goes
 * first alternates), after one unmeasured round.
 */
async function measureReads(grown, reference) {
  const list = routes(grown.seeded);
  const referenceList = routes(reference.seeded);
  const results = list.map(() => ({ grown: fresh(), reference: fresh() }));
  for (let round = -1; round < OPTIONS.samples; round++) {
    for (let r = 0; r < list.length; r++) {
      const pair = [() => timed(grown, 'GET', list[r][1], undefined, round < 0 ? undefined : results[r].grown), () => timed(reference, 'GET', referenceList[r][1], undefined, round < 0 ? undefined : results[r].reference)];
      if (round % 2 !== 0) pair.reverse();
      for (const call of pair) await call();
    }
  }
  return Object.fromEntries(
    list.map(([name, urlPath], r) => {
      const g = summary(results[r].grown);
      const ref = summary(results[r].reference);
      return [name, { path: urlPath, ratio: ratio(g.p50Ms, ref.p50Ms), cpuRatio: ratio(g.serverCpuMsPerRequest, ref.serverCpuMsPerRequest), grown: g, reference: ref }];
    }),
  );
}

/** Sequential writes to the large model and to a small one, on both registries in turn: as measureReads. */
async function measureWrites(grown, reference, size) {
  const out = {};
  for (const [name, model] of [
    ['version of the large model', LARGE],
    ['version of a small model', smallName(0)],
  ]) {
    const g = fresh();
    const ref = fresh();
    for (let n = 0; n < OPTIONS.writes; n++) {
      // Numbered after the seeded ones, so the seeding's tags stay as they were.
      const body = versionBody(1_000_000 + size + n);
      const pair = [() => timed(grown, 'POST', `/api/v1/models/${model}/versions`, body, g), () => timed(reference, 'POST', `/api/v1/models/${model}/versions`, body, ref)];
      if (n % 2 !== 0) pair.reverse();
      for (const call of pair) {
        const reply = await call();
        if (reply.status !== 201) throw new Error(`write to ${model}: ${reply.status} ${JSON.stringify(reply.json)}`);
      }
    }
    const gs = summary(g);
    const rs = summary(ref);
    out[name] = { ratio: ratio(gs.p50Ms, rs.p50Ms), cpuRatio: ratio(gs.serverCpuMsPerRequest, rs.serverCpuMsPerRequest), grown: gs, reference: rs };
  }
  return out;
}

function ratio(value, reference) {
  return reference ? Math.round((value / reference) * 100) / 100 : null;
}

async function main() {
  const tokens = { [TOKEN]: { user: 'reads-bench', roles: ['admin'] } };
  const report = await withEmbedded('mreg-reads-', tokens, (base, pid) =>
    withEmbedded('mreg-reads-reference-', tokens, async (referenceBase, referencePid) => {
      const started = Date.now();
      const deadline = started + OPTIONS.capS * 1000;
      log(`seeding the reference registry with ${OPTIONS.reference} versions`);
      const referenceSeeder = new Seeder(referenceBase);
      await referenceSeeder.seedTo(OPTIONS.reference, deadline);
      const reference = { base: referenceBase, pid: referencePid, seeded: referenceSeeder.next };
      const seeder = new Seeder(base);
      const sizes = [];
      for (const size of OPTIONS.sizes) {
        if (Date.now() >= deadline) break;
        log(`seeding up to ${size} versions`);
        const seeding = await seeder.seedTo(size, deadline);
        const reached = seeder.next;
        log(`measuring at ${reached} versions (${seeder.models.size} models) against the reference (${reference.seeded})`);
        const loadAverage = Math.round(os.loadavg()[0] * 100) / 100;
        const grown = { base, pid, seeded: reached };
        const reads = await measureReads(grown, reference);
        const writes = await measureWrites(grown, reference, reached);
        sizes.push({ versions: reached, ...(reached < size ? { truncated: `seeding stopped at the cap of ${OPTIONS.capS} s` } : {}), models: seeder.models.size, loadAverage, seeding, reads, writes });
        // Each size as it is done (one line), so a run stopped early still tells what it measured.
        log(`size done: ${JSON.stringify(sizes[sizes.length - 1])}`);
      }
      return {
        benchmark: 'read and write latency as the registry grows, against a reference registry measured alongside; all-in-one, read-your-writes',
        machine: { cpus: os.cpus().length, cpuModel: os.cpus()[0]?.model ?? 'unknown', node: process.version, loadAverageAfter: os.loadavg().map((l) => Math.round(l * 100) / 100) },
        options: OPTIONS,
        goal: `every p50 within 1.2x of the reference registry's (${reference.seeded} versions)`,
        sizes,
        overGoal: sizes.flatMap((s) =>
          [...Object.entries(s.reads), ...Object.entries(s.writes)].filter(([, r]) => r.ratio === null || r.ratio > 1.2).map(([name, r]) => ({ versions: s.versions, route: name, ratio: r.ratio, cpuRatio: r.cpuRatio })),
        ),
        notOk: notOk(sizes),
        wallSeconds: Math.round((Date.now() - started) / 1000),
      };
    }),
  );
  process.stdout.write(`${JSON.stringify(report, null, 2)}\n`);
}

/** Routes that answered anything but 200 at some size (e.g. 400 when a query ran over its budget). */
function notOk(sizes) {
  const odd = [];
  for (const s of sizes) {
    for (const [name, r] of Object.entries(s.reads)) {
      for (const side of ['grown', 'reference']) if (Object.keys(r[side].statuses).some((code) => code !== '200')) odd.push({ versions: s.versions, route: name, registry: side, statuses: r[side].statuses });
    }
  }
  return odd;
}

module.exports = { main, Seeder, TOKEN };

runIfMain(module, main);
