#!/usr/bin/env node
// `npm run bench`: registration throughput and command-to-read-model lag of both topologies, as ONE JSON
// document on stdout (progress goes to stderr). docs/operations/benchmarks.md explains the numbers.
//
//   embedded     the all-in-one registry (`npm start`): SQLite log and read models, in-process bus
//   distributed  registration, governance, artifact and audit services + the gateway as separate processes
//                on real Kafka, a MongoDB-protocol server and S3. The log: PostgreSQL when MREG_POSTGRES_URL is
//                there (a fresh schema per run, dropped afterwards, as in the distributed e2e suite), else
//                KurrentDB when MREG_KURRENTDB_URL is set, else one SQLite file shared by the processes. The
//                servers come from MREG_KAFKA_BROKERS / MREG_MONGO_URL / MREG_S3_* / MREG_POSTGRES_URL or are
//                started with tools/infra/all.sh (and stopped again if the bench started them); otherwise it is
//                skipped. It runs with 16 clients (the distributed goal: 16 clients over 10 models).
//
// Every app runs as its own process from its build output, apps/<app>/dist (like `npm start`), so the load generator never shares an
// event loop with a server. All traffic goes to 127.0.0.1; every loop is bounded by count and by time.
//
// Phases per topology (fresh models for each; every phase is bounded by a count and by a time cap):
//   1. throughput, read-your-writes: N versions over M models from C concurrent clients; each write answers
//      only after its read models caught up (the default, MREG_CONSISTENCY_TIMEOUT_MS=5000).
//   2. the write path is restarted with MREG_CONSISTENCY_TIMEOUT_MS=0: a write answers once it is in the log.
//   3. lag: the time from sending a write until GET shows it, polled every POLL ms (growing to a tenth of the
//      time waited, at most 50 ms, so the observer does not load slow read models); sequential (one client)
//      and concurrent (C clients). With the wait disabled a write whose read model is not there yet answers
//      202 pending (404 before decision 0003 was implemented) although it is durable, without the version, so
//      the version number is tracked by the client: each lag client owns its model and writes to it one at a time.
//   4. throughput, no wait: N versions as fast as the log takes them (raw append throughput through HTTP),
//      then how long the read models take to show them all, i.e. what the projections sustain.
// Knobs (env): MREG_BENCH_TOPOLOGIES=embedded,distributed  MREG_BENCH_VERSIONS=300  MREG_BENCH_MODELS=10
// MREG_BENCH_CONCURRENCY=8 (embedded; distributed: 16)  MREG_BENCH_LAG_SAMPLES=200  MREG_BENCH_LAG_SEQUENTIAL=50  MREG_BENCH_POLL_MS=2
// MREG_BENCH_WARMUP=40 (unmeasured writes after every (re)start)  MREG_BENCH_START_SERVERS=0 (never start servers)
// MREG_BENCH_PRIVATE_MONGO=0 (use the shared tools/infra FerretDB)  MREG_FERRETDB_BACKEND=postgresql (the private
// FerretDB's backend, postgresql or sqlite, as for tools/infra/ferretdb.sh)  MREG_BENCH_BUDGET_S=280 (whole run)
// Time caps per phase, seconds: MREG_BENCH_CAP_THROUGHPUT_S=40 _LAG_SEQUENTIAL_S=15 _LAG_CONCURRENT_S=30
// _BURST_S=10 _CATCH_UP_S=40 _SETTLE_S=20 (each MREG_BENCH_CAP_<name>).
//
// MLflow section (tools/bench/mlflow.cjs, after the topologies): the official MLflow client's workload against
// mreg (embedded) and against a real `mlflow server`, side by side with ratios. Flags:
//   --mlflow      only the MLflow section          --no-mlflow   everything but it (also MREG_BENCH_MLFLOW=0)
//   --quick       the MLflow section's small configuration (under 2 minutes); its knobs are at the head of mlflow.cjs
//   --hostile     only the hostile-readers load test (tools/bench/hostile.cjs): /health latency under a burst of
//                 worst-case queries against a seeded all-in-one registry
//   --contention  only the many-writers-on-one-model test (tools/bench/contention.cjs): versions/s and latency
//                 for 1 and 16 clients registering versions of one model with read-your-writes
//   --reads       only the growing-registry test (tools/bench/reads.cjs): every read route and sequential writes
//                 timed at 10,000 and 100,000 versions against a nearly empty registry running alongside
//   --rebuild     only the rebuild test (tools/bench/rebuild.cjs): a full replay of the read models from a log of
//                 1,000,000 events into fresh SQLite read models, and of a PostgreSQL log into MongoDB when they are set
//   --recovery    only the restart test (tools/bench/recovery.cjs): time from restarting a SIGKILLed all-in-one
//                 registry or service to /health and /ready
//   --console     only the web console test (tools/bench/console.cjs): time in Chromium to a usable catalog and
//                 version search at 10,000 versions (2,000 with --quick), and the API requests those pages make,
//                 compared with a 100-version registry
'use strict';
const { execFileSync, spawn } = require('node:child_process');
const fs = require('node:fs');
const os = require('node:os');
const path = require('node:path');
const { setTimeout: sleep } = require('node:timers/promises');
const { appEntry, buildApps } = require('../build/nx.cjs');
const mlflowBench = require('./mlflow.cjs');
const { envInt, freePort } = require('./lib.cjs');

const FLAGS = new Set(process.argv.slice(2));
for (const flag of FLAGS) {
  if (!['--mlflow', '--no-mlflow', '--quick', '--hostile', '--contention', '--reads', '--rebuild', '--recovery', '--console'].includes(flag)) {
    process.stderr.write(`usage: npm run bench [-- --mlflow | --no-mlflow | --hostile | --contention | --reads | --rebuild | --recovery | --console] [--quick]; unknown argument "${flag}"\n`);
    process.exit(2);
  }
}
if (FLAGS.has('--mlflow') && FLAGS.has('--no-mlflow')) {
  process.stderr.write('--mlflow and --no-mlflow exclude each other\n');
  process.exit(2);
}
// --mlflow: the MLflow section alone; --no-mlflow (or MREG_BENCH_MLFLOW=0): the topologies alone.
const MLFLOW_ONLY = FLAGS.has('--mlflow');
const RUN_MLFLOW = MLFLOW_ONLY || (!FLAGS.has('--no-mlflow') && process.env.MREG_BENCH_MLFLOW !== '0');

const ROOT = path.resolve(__dirname, '..', '..');

const OPTIONS = {
  topologies: (process.env.MREG_BENCH_TOPOLOGIES || 'embedded,distributed')
    .split(',')
    .map((s) => s.trim())
    .filter(Boolean),
  versions: envInt('MREG_BENCH_VERSIONS', 300),
  models: envInt('MREG_BENCH_MODELS', 10),
  concurrency: envInt('MREG_BENCH_CONCURRENCY', 8),
  // The distributed goal is stated for 16 clients over 10 models; MREG_BENCH_CONCURRENCY sets both when given.
  distributedConcurrency: envInt('MREG_BENCH_CONCURRENCY', 16),
  lagSamples: envInt('MREG_BENCH_LAG_SAMPLES', 200),
  lagSequential: envInt('MREG_BENCH_LAG_SEQUENTIAL', 50),
  warmup: envInt('MREG_BENCH_WARMUP', 40, 0),
  // Per-phase time caps (seconds): a phase stops taking new work when its cap is reached and says so.
  capThroughputS: envInt('MREG_BENCH_CAP_THROUGHPUT_S', 40),
  capLagSequentialS: envInt('MREG_BENCH_CAP_LAG_SEQUENTIAL_S', 15),
  capLagConcurrentS: envInt('MREG_BENCH_CAP_LAG_CONCURRENT_S', 30),
  capBurstS: envInt('MREG_BENCH_CAP_BURST_S', 10),
  capCatchUpS: envInt('MREG_BENCH_CAP_CATCH_UP_S', 40),
  // Waiting for the read models to drain a warm-up or a timed-out phase before the next measurement.
  capSettleS: envInt('MREG_BENCH_CAP_SETTLE_S', 20),
  pollMs: envInt('MREG_BENCH_POLL_MS', 2),
  budgetS: envInt('MREG_BENCH_BUDGET_S', 280, 10),
  startServers: process.env.MREG_BENCH_START_SERVERS !== '0',
  // With tools/infra servers: run the read models on a private FerretDB instance (MREG_BENCH_PRIVATE_MONGO=0: the shared one).
  privateMongo: process.env.MREG_BENCH_PRIVATE_MONGO !== '0',
};
for (const t of OPTIONS.topologies) {
  if (t !== 'embedded' && t !== 'distributed') throw new Error(`MREG_BENCH_TOPOLOGIES: unknown topology "${t}"`);
}

const TOKEN = 'bench-admin-token-000000000001';
const TOKENS = JSON.stringify({ [TOKEN]: { user: 'bench', roles: ['admin'] } });
const REQUEST_TIMEOUT_MS = 30_000;
const VISIBLE_TIMEOUT_MS = 60_000;
/** The private FerretDB instance's backend (tools/infra/ferretdb.sh's MREG_FERRETDB_BACKEND). */
const FERRETDB_BACKEND = process.env.MREG_FERRETDB_BACKEND || 'postgresql';
const SERVICES = ['registration-service', 'governance-service', 'artifact-service', 'audit-service'];

const log = (message) => process.stderr.write(`[bench] ${message}\n`);
const deadline = Date.now() + OPTIONS.budgetS * 1000;
const remainingMs = () => deadline - Date.now();
class BudgetExceeded extends Error {}
const checkBudget = () => {
  if (remainingMs() <= 0) throw new BudgetExceeded(`time budget of ${OPTIONS.budgetS} s exceeded`);
};

// ---- statistics ------------------------------------------------------------------------------------

const round = (n, digits = 1) => (Number.isFinite(n) ? Number(n.toFixed(digits)) : null);

/** Nearest-rank percentiles of a list of milliseconds. */
function summary(values) {
  if (values.length === 0) return { count: 0 };
  const sorted = [...values].sort((a, b) => a - b);
  const at = (p) => sorted[Math.min(sorted.length - 1, Math.max(0, Math.ceil((p / 100) * sorted.length) - 1))];
  const mean = sorted.reduce((s, v) => s + v, 0) / sorted.length;
  return { count: sorted.length, p50: round(at(50)), p90: round(at(90)), p99: round(at(99)), max: round(sorted[sorted.length - 1]), mean: round(mean) };
}

const nowMs = () => Number(process.hrtime.bigint()) / 1e6;

// ---- HTTP ------------------------------------------------------------------------------------------

async function request(base, method, urlPath, body) {
  const response = await fetch(`${base}${urlPath}`, {
    method,
    headers: { authorization: `Bearer ${TOKEN}`, ...(body === undefined ? {} : { 'content-type': 'application/json' }) },
    ...(body === undefined ? {} : { body: JSON.stringify(body) }),
    signal: AbortSignal.timeout(REQUEST_TIMEOUT_MS),
  });
  const text = await response.text();
  let json;
  try {
    json = text ? JSON.parse(text) : undefined;
  } catch {
    json = undefined;
  }
  return { status: response.status, json, text, headers: response.headers };
}

const versionBody = (i) => ({
  runId: `bench-run-${i}`,
  description: 'benchmark version',
  params: { learning_rate: '0.01', max_depth: String(4 + (i % 5)) },
  metrics: { auc: 0.9 + (i % 10) / 1000, loss: 0.2 },
  tags: { team: 'bench', phase: 'load' },
  lineage: { datasets: [{ name: 'bench-data', uri: 's3://bench/data.parquet' }], codeCommit: '3f2a9c1e7b' },
});

async function createModels(base, prefix, count) {
  const names = Array.from({ length: count }, (_, i) => `${prefix}-${i}`);
  for (const name of names) {
    const r = await request(base, 'POST', '/api/v1/models', { name, tags: { team: 'bench' } });
    // 202 (pending) or 404 = registered but the read model not there yet: fine.
    if (r.status !== 201 && r.status !== 200 && r.status !== 202 && r.status !== 404) throw new Error(`creating model ${name}: ${r.status} ${r.text.slice(0, 300)}`);
  }
  for (const name of names) await waitVisible(base, `/api/v1/models/${name}`);
  return names;
}

/**
 * Polls a GET until it answers 200 (or the predicate holds); resolves with the time it became visible. The poll
 * interval starts at `pollMs` and grows to a tenth of the time waited so far (at most 50 ms): the resolution
 * stays within ~10% of the measured lag while slow read models are not flooded with reads by the observer.
 */
async function waitVisible(base, urlPath, predicate = (/** @type {unknown} */ _json) => true, pollMs = 5) {
  const started = nowMs();
  const until = Date.now() + VISIBLE_TIMEOUT_MS;
  for (;;) {
    const r = await request(base, 'GET', urlPath);
    if (r.status === 200 && predicate(r.json)) return nowMs();
    if (r.status !== 404 && r.status !== 200) throw new Error(`GET ${urlPath}: ${r.status} ${r.text.slice(0, 300)}`);
    if (Date.now() > until) throw new Error(`GET ${urlPath} not visible after ${VISIBLE_TIMEOUT_MS} ms`);
    checkBudget();
    await sleep(Math.max(pollMs, Math.min(50, (nowMs() - started) / 10)));
  }
}

// ---- phases ----------------------------------------------------------------------------------------

/**
 * Unmeasured writes: JIT, connection pools, Kafka consumers and caches warm up before a measured phase; then
 * waits (bounded) until the read models show them, so no backlog leaks into the next measurement.
 */
async function warmUp(base, prefix, concurrency) {
  if (OPTIONS.warmup === 0) return;
  const models = await createModels(base, prefix, Math.min(OPTIONS.models, concurrency));
  const done = await throughput(base, models, { waitExpected: false, total: OPTIONS.warmup, capS: 20, concurrency });
  await readModelsShow(base, models, done.perModel, OPTIONS.capSettleS);
}

/** A phase's time cap: its own cap, but never past what the whole run has left (minus a reserve). */
const capMs = (capS) => Math.max(0, Math.min(capS * 1000, remainingMs() - 20_000));

/**
 * N version registrations spread over the models, C workers pulling from one queue; stops taking new work
 * when the phase's time cap is reached (then `completed` < `versions` and `truncated` says so).
 */
async function throughput(base, models, { waitExpected, concurrency, total = OPTIONS.versions, capS = OPTIONS.capThroughputS }) {
  let next = 0;
  const latencies = [];
  const statuses = {};
  let pending = 0;
  let firstError;
  const started = nowMs();
  const stopAt = started + capMs(capS);
  const worker = async () => {
    for (;;) {
      if (nowMs() >= stopAt) return;
      const i = next++;
      if (i >= total) return;
      const model = models[i % models.length];
      const t0 = nowMs();
      const r = await request(base, 'POST', `/api/v1/models/${model}/versions`, versionBody(i));
      latencies.push(nowMs() - t0);
      statuses[r.status] = (statuses[r.status] ?? 0) + 1;
      // 202: recorded, but the read models did not show it within the wait (or there was no wait).
      if (r.status === 202 || r.headers.get('x-mreg-consistency-pending') === 'true') pending++;
      const accepted = r.status === 201 || r.status === 202 || (!waitExpected && r.status === 404);
      if (!accepted && !firstError) firstError = `${r.status} ${r.text.slice(0, 300)}`;
    }
  };
  await Promise.all(Array.from({ length: concurrency }, worker));
  const ended = nowMs();
  const seconds = (ended - started) / 1000;
  const completed = latencies.length;
  const errors = Object.entries(statuses)
    .filter(([s]) => !(s === '201' || s === '202' || (!waitExpected && s === '404')))
    .reduce((n, [, c]) => n + c, 0);
  return {
    versions: total,
    completed,
    ...(completed < total ? { truncated: `time cap of ${round(capMs(capS) / 1000, 0)} s reached` } : {}),
    models: models.length,
    concurrency,
    seconds: round(seconds, 2),
    versionsPerSecond: round((completed - errors) / seconds),
    latencyMs: summary(latencies),
    statuses,
    errors,
    ...(firstError ? { firstError } : {}),
    // Writes answered before their read models caught up (the wait timed out, or there was no wait).
    consistencyPending: pending,
    startedAt: started,
    endedAt: ended,
    perModel: models.map((_, m) => Math.floor(completed / models.length) + (m < completed % models.length ? 1 : 0)),
  };
}

/** Polls the models until each shows `expected[m]` versions or the cap passes; when it happened, how many. */
async function readModelsShow(base, models, expected, capS) {
  const started = nowMs();
  const stopAt = started + capMs(capS);
  const visible = models.map(() => 0);
  for (;;) {
    for (let m = 0; m < models.length; m++) {
      if (visible[m] >= expected[m]) continue;
      const r = await request(base, 'GET', `/api/v1/models/${models[m]}`);
      if (r.status === 200 && r.json) visible[m] = r.json.versionCount ?? 0;
    }
    const done = visible.every((v, m) => v >= expected[m]);
    if (done || nowMs() >= stopAt) return { caughtUp: done, at: nowMs(), visible: visible.reduce((a, b) => a + b, 0) };
    // Same adaptive interval as waitVisible, up to 200 ms: one round reads every model still behind.
    await sleep(Math.max(2, Math.min(200, (nowMs() - started) / 10)));
  }
}

/**
 * Command-to-read-model lag: each client owns one model and, one write at a time, sends a version (the write
 * path does not wait) and polls GET .../versions/<n> until it answers 200.
 */
async function lag(base, models, samples, capS) {
  const lags = [];
  const commandMs = [];
  const statuses = {};
  let next = 0;
  const stopAt = nowMs() + capMs(capS);
  const client = async (model) => {
    let version = 0;
    for (;;) {
      if (nowMs() >= stopAt) return;
      const i = next++;
      if (i >= samples) return;
      version++;
      const t0 = nowMs();
      const r = await request(base, 'POST', `/api/v1/models/${model}/versions`, versionBody(i));
      commandMs.push(nowMs() - t0);
      statuses[r.status] = (statuses[r.status] ?? 0) + 1;
      if (r.status === 201) {
        if (r.json && r.json.version !== version) throw new Error(`lag client on ${model} expected version ${version}, got ${r.json.version}`);
        // Visible in the write's own answer: the read model had it when the response was rendered.
        lags.push(nowMs() - t0);
        continue;
      }
      if (r.status !== 404 && r.status !== 202) throw new Error(`lag write on ${model}: ${r.status} ${r.text.slice(0, 300)}`);
      const seen = await waitVisible(base, `/api/v1/models/${model}/versions/${version}`, () => true, OPTIONS.pollMs);
      lags.push(seen - t0);
    }
  };
  await Promise.all(models.map(client));
  return {
    samples,
    completed: lags.length,
    ...(lags.length < samples ? { truncated: `time cap of ${round(capMs(capS) / 1000, 0)} s reached` } : {}),
    clients: models.length,
    pollMs: OPTIONS.pollMs,
    lagMs: summary(lags),
    commandMs: summary(commandMs),
    statuses,
  };
}

const publicPart = ({ startedAt, endedAt, perModel, ...rest }) => rest;

async function runPhases(base, restartWritePath, label, concurrency) {
  log(`${label}: throughput with read-your-writes (${OPTIONS.versions} versions, ${OPTIONS.models} models, ${concurrency} clients, cap ${OPTIONS.capThroughputS} s)`);
  await warmUp(base, 'bench-warm-a', concurrency);
  const modelsA = await createModels(base, 'bench-rw', OPTIONS.models);
  const readYourWrites = await throughput(base, modelsA, { waitExpected: true, concurrency });
  log(`${label}: ${readYourWrites.versionsPerSecond} versions/s (${readYourWrites.completed} in ${readYourWrites.seconds} s), p50 ${readYourWrites.latencyMs.p50} ms`);
  // Writes whose wait timed out may still be in flight: let the read models settle before the next phase.
  await readModelsShow(base, modelsA, readYourWrites.perModel, OPTIONS.capSettleS);

  log(`${label}: restarting the write path with MREG_CONSISTENCY_TIMEOUT_MS=0`);
  await restartWritePath({ MREG_CONSISTENCY_TIMEOUT_MS: '0' });
  await warmUp(base, 'bench-warm-b', concurrency);

  log(`${label}: lag, sequential (${OPTIONS.lagSequential} writes, 1 client, cap ${OPTIONS.capLagSequentialS} s)`);
  const sequential = await lag(base, await createModels(base, 'bench-lag-seq', 1), OPTIONS.lagSequential, OPTIONS.capLagSequentialS);
  log(`${label}: lag, concurrent (${OPTIONS.lagSamples} writes, ${concurrency} clients, cap ${OPTIONS.capLagConcurrentS} s)`);
  const concurrent = await lag(base, await createModels(base, 'bench-lag-conc', concurrency), OPTIONS.lagSamples, OPTIONS.capLagConcurrentS);
  log(`${label}: lag p50/p99 sequential ${sequential.lagMs.p50}/${sequential.lagMs.p99} ms, concurrent ${concurrent.lagMs.p50}/${concurrent.lagMs.p99} ms`);

  log(`${label}: burst without the wait (${OPTIONS.versions} versions, cap ${OPTIONS.capBurstS} s), then read-model catch-up (cap ${OPTIONS.capCatchUpS} s)`);
  const modelsB = await createModels(base, 'bench-nowait', OPTIONS.models);
  const noWait = /** @type {Awaited<ReturnType<typeof throughput>> & { readModels?: any }} */ (await throughput(base, modelsB, { waitExpected: false, capS: OPTIONS.capBurstS, concurrency }));
  const seen = await readModelsShow(base, modelsB, noWait.perModel, OPTIONS.capCatchUpS);
  noWait.readModels = {
    caughtUp: seen.caughtUp,
    // From the end of the burst until the read models showed every version (null: not within the cap).
    catchUpMs: seen.caughtUp ? round(Math.max(0, seen.at - noWait.endedAt)) : null,
    versionsVisible: seen.visible,
    // What the projections sustain: versions visible per second since the burst began.
    versionsPerSecond: round(seen.visible / ((seen.at - noWait.startedAt) / 1000)),
  };
  // Catch-up rate against append rate. Read models that keep up trail the log by their lag only, so their
  // rate is the append rate stretched by that lag (ratio just under 1 for a short burst); `keepsUp`: no
  // backlog was left at the end of the burst beyond what a write takes to show (drained within 100 ms).
  noWait.readModels.catchUpToAppendRatio = noWait.versionsPerSecond ? round(noWait.readModels.versionsPerSecond / noWait.versionsPerSecond, 2) : null;
  noWait.readModels.keepsUp = seen.caughtUp && noWait.readModels.catchUpMs <= 100;
  log(
    `${label}: ${noWait.versionsPerSecond} versions/s accepted without the wait; read models ${seen.caughtUp ? `caught up ${noWait.readModels.catchUpMs} ms after the burst` : `showed ${seen.visible} of ${noWait.completed} within the cap`} (${noWait.readModels.versionsPerSecond} versions/s)`,
  );

  return {
    registrationThroughput: { readYourWrites: publicPart(readYourWrites), noWait: publicPart(noWait) },
    commandToReadModelLag: { sequential, concurrent },
  };
}

// ---- processes -------------------------------------------------------------------------------------

const children = new Set();

/** Starts apps/<app>/dist/main.js (as `MREG_APP=<app> npm start` does). */
async function startApp(app, env, workDir) {
  const entry = appEntry(app);
  const logFile = path.join(workDir, `${app}.log`);
  const out = fs.openSync(logFile, 'a');
  const child = spawn(process.execPath, ['--enable-source-maps', '--disable-warning=ExperimentalWarning', entry], {
    env: { ...process.env, ...env },
    stdio: ['ignore', out, out],
  });
  fs.closeSync(out);
  children.add(child);
  child.once('exit', () => children.delete(child));
  const port = Number(env.PORT);
  const until = Date.now() + 90_000;
  while (Date.now() < until) {
    if (child.exitCode !== null || child.signalCode !== null) break;
    try {
      // Ready, not just alive: a Kafka service listens before its consumers have joined their groups.
      const r = await fetch(`http://127.0.0.1:${port}/ready`, { signal: AbortSignal.timeout(2000) });
      if (r.ok) return { app, child, port, env, logFile };
    } catch {
      // not listening yet
    }
    await sleep(100);
  }
  const tail = fs.existsSync(logFile) ? fs.readFileSync(logFile, 'utf8').split('\n').slice(-30).join('\n') : '';
  await stopApp({ child });
  throw new Error(`${app} did not become healthy; log tail:\n${tail}`);
}

async function stopApp({ child }) {
  if (child.exitCode !== null || child.signalCode !== null) return;
  const gone = new Promise((resolve) => child.once('exit', resolve));
  child.kill('SIGTERM');
  const timer = setTimeout(() => child.kill('SIGKILL'), 15_000);
  await gone;
  clearTimeout(timer);
}

async function restartApp(running, extraEnv, workDir) {
  await stopApp(running);
  return startApp(running.app, { ...running.env, ...extraEnv }, workDir);
}

// ---- topologies ------------------------------------------------------------------------------------

/** The all-in-one registry's environment (as `npm start` runs it) on its own data dir and port. */
const embeddedEnv = (dataDir, port) => ({
  PORT: String(port),
  MREG_HOST: '127.0.0.1',
  MREG_DATA_DIR: dataDir,
  MREG_TOKENS: TOKENS,
  MREG_LOG_LEVEL: 'warn',
  MREG_CONSISTENCY_TIMEOUT_MS: '5000',
  MREG_EVENT_STORE: 'sqlite',
  MREG_EVENT_BUS: 'in-process',
  MREG_READ_STORE: 'sqlite',
  MREG_ARTIFACT_STORAGE: 'fs',
});

async function embedded(workDir) {
  const env = embeddedEnv(path.join(workDir, 'embedded'), await freePort());
  let app = await startApp('mreg', env, workDir);
  try {
    const base = `http://127.0.0.1:${app.port}`;
    const result = await runPhases(
      base,
      async (extra) => {
        app = await restartApp(app, extra, workDir);
      },
      'embedded',
      OPTIONS.concurrency,
    );
    return { topology: 'all-in-one process (apps/mreg): SQLite log + read models, in-process bus, fs artifacts', ...result };
  } finally {
    await stopApp(app);
  }
}

function parseExports(text) {
  const env = {};
  for (const line of text.split('\n')) {
    const m = /^export ([A-Z0-9_]+)=(.*)$/.exec(line.trim());
    if (m) env[m[1]] = m[2].replace(/^'(.*)'$/, '$1').replace(/^"(.*)"$/, '$1');
  }
  return env;
}

/** Kafka, MongoDB and S3 from the environment, or from tools/infra (started if needed); else a reason. */
async function resolveServers() {
  const have = () => ['MREG_KAFKA_BROKERS', 'MREG_MONGO_URL', 'MREG_S3_ENDPOINT'].every((k) => process.env[k]);
  if (have()) return { env: {}, startedByBench: false, source: 'environment' };
  const script = path.join(ROOT, 'tools', 'infra', 'all.sh');
  let running = false;
  try {
    execFileSync('bash', [script, 'status'], { stdio: 'ignore', timeout: 30_000 });
    running = true;
  } catch {
    running = false;
  }
  if (!running && !OPTIONS.startServers) {
    return { skipped: 'MREG_KAFKA_BROKERS / MREG_MONGO_URL / MREG_S3_ENDPOINT are not set, tools/infra servers are not running, and MREG_BENCH_START_SERVERS=0' };
  }
  try {
    if (!running) {
      log('starting Kafka, FerretDB and S3 with tools/infra/all.sh start (first run installs them)');
      const budget = Math.max(10_000, remainingMs() - 90_000);
      execFileSync('bash', [script, 'start'], { stdio: ['ignore', 'ignore', 'inherit'], timeout: budget });
    }
    const env = parseExports(execFileSync('bash', [path.join(ROOT, 'tools', 'infra', 'env.sh')], { encoding: 'utf8', timeout: 30_000 }));
    if (!env.MREG_KAFKA_BROKERS || !env.MREG_MONGO_URL || !env.MREG_S3_ENDPOINT) throw new Error('tools/infra/env.sh did not print every server');
    const resolved = { env, startedByBench: !running, source: 'tools/infra' };
    if (OPTIONS.privateMongo) {
      // The shared FerretDB serves every test run on this machine and is single-writer SQLite underneath:
      // a private instance keeps other tenants' load out of the read-model numbers.
      const port = await freePort();
      const url = execFileSync('bash', [path.join(ROOT, 'tools', 'infra', 'ferretdb.sh'), 'start'], {
        encoding: 'utf8',
        // On PostgreSQL unless told otherwise: it served the read models better here (docs/decisions/0030).
        env: { ...process.env, MREG_FERRETDB_PORT: String(port), MREG_FERRETDB_LOG_LEVEL: 'warn', MREG_FERRETDB_BACKEND: FERRETDB_BACKEND },
        stdio: ['ignore', 'pipe', 'ignore'],
        timeout: 120_000,
      }).trim();
      if (!/^mongodb:\/\//.test(url)) throw new Error(`ferretdb.sh start printed "${url.slice(0, 100)}"`);
      env.MREG_MONGO_URL = url;
      resolved.privateFerretDbPort = port;
      resolved.source = 'tools/infra (Kafka and S3 shared, a private FerretDB instance)';
    }
    return resolved;
  } catch (error) {
    const detail = String(error && error.message ? error.message : error)
      .split('\n')
      .slice(0, 3)
      .join(' ');
    return { skipped: `Kafka, a MongoDB-protocol server and S3 are not available: tools/infra could not provide them (${detail})` };
  }
}

function cleanPrivateMongo(port) {
  try {
    execFileSync('bash', [path.join(ROOT, 'tools', 'infra', 'ferretdb.sh'), 'clean'], {
      // Its PostgreSQL database goes too (ferretdb.sh clean).
      env: { ...process.env, MREG_FERRETDB_PORT: String(port), MREG_FERRETDB_BACKEND: FERRETDB_BACKEND },
      stdio: 'ignore',
      timeout: 120_000,
    });
  } catch {
    log(`could not clean the private FerretDB instance on port ${port}`);
  }
}

function stopStartedServers() {
  try {
    execFileSync('bash', [path.join(ROOT, 'tools', 'infra', 'all.sh'), 'stop'], { stdio: 'ignore', timeout: 120_000 });
  } catch {
    // best effort
  }
}

/** Drops what the run left on the shared servers: its MongoDB database and its Kafka topics. */
async function cleanUpServers(env, database, namespace) {
  if (database) {
    try {
      const mongoose = require('mongoose');
      const connection = mongoose.createConnection(env.MREG_MONGO_URL, { serverSelectionTimeoutMS: 5000 });
      await connection.asPromise();
      await connection.useDb(database).dropDatabase();
      await connection.close();
    } catch (error) {
      log(`could not drop MongoDB database ${database}: ${error.message}`);
    }
  }
  try {
    const { Kafka, logLevel } = require('kafkajs');
    const admin = new Kafka({ clientId: 'mreg-bench', brokers: env.MREG_KAFKA_BROKERS.split(','), logLevel: logLevel.NOTHING }).admin();
    await admin.connect();
    const topics = (await admin.listTopics()).filter((t) => t.startsWith(namespace));
    if (topics.length > 0) await admin.deleteTopics({ topics, timeout: 10_000 });
    const groups = (await admin.listGroups()).groups.map((g) => g.groupId).filter((g) => g.startsWith(namespace));
    if (groups.length > 0) await admin.deleteGroups(groups).catch(() => undefined);
    await admin.disconnect();
  } catch (error) {
    log(`could not delete the Kafka topics ${namespace}*: ${error.message}`);
  }
}

/** Where the distributed topology keeps its log: PostgreSQL (a schema of the run's own), else KurrentDB, else a shared SQLite file. */
function eventLog(serverEnv, id, workDir) {
  if (serverEnv.MREG_POSTGRES_URL) {
    const schema = `mreg_${id}`;
    return { env: { MREG_EVENT_STORE: 'postgres', MREG_POSTGRES_SCHEMA: schema }, schema, label: 'PostgreSQL', eventStore: `postgres (schema ${schema}, dropped afterwards)` };
  }
  if (serverEnv.MREG_KURRENTDB_URL) return { env: { MREG_EVENT_STORE: 'kurrentdb' }, label: 'KurrentDB', eventStore: 'kurrentdb' };
  return {
    env: { MREG_EVENT_STORE: 'sqlite', MREG_EVENT_STORE_PATH: path.join(workDir, 'distributed-events.sqlite') },
    label: 'shared SQLite file (no PostgreSQL or KurrentDB server here)',
    eventStore: 'sqlite (shared file)',
  };
}

/** The run's log is a schema of its own on the shared PostgreSQL server: dropped like the run's processes. */
async function dropPostgresSchema(url, schema) {
  try {
    const { Client } = require('pg');
    const client = new Client({ connectionString: url });
    await client.connect();
    try {
      await client.query(`DROP SCHEMA IF EXISTS "${schema}" CASCADE`);
    } finally {
      await client.end();
    }
  } catch (error) {
    log(`could not drop PostgreSQL schema ${schema}: ${error.message}`);
  }
}

async function distributed(workDir) {
  const servers = await resolveServers();
  if (servers.skipped) return { skipped: servers.skipped };
  /** @type {Record<string, string | undefined>} */
  const serverEnv = { ...servers.env };
  for (const k of Object.keys(process.env)) if (/^MREG_(KAFKA_BROKERS|MONGO_URL|S3_|KURRENTDB_URL|POSTGRES_URL)/.test(k)) serverEnv[k] = process.env[k];
  const id = `bench${Date.now().toString(36)}${Math.floor(Math.random() * 1e4)}`;
  const namespace = `${id}.`;
  const logStore = eventLog(serverEnv, id, workDir);
  const common = {
    ...serverEnv,
    MREG_HOST: '127.0.0.1',
    MREG_TOKENS: TOKENS,
    MREG_LOG_LEVEL: 'warn',
    MREG_CONSISTENCY_TIMEOUT_MS: '5000',
    ...logStore.env,
    MREG_EVENT_BUS: 'kafka',
    MREG_KAFKA_NAMESPACE: namespace,
    MREG_KAFKA_PARTITIONS: '3',
    MREG_READ_STORE: 'mongo',
    MREG_MONGO_DB: `mreg_${id}`,
    MREG_ARTIFACT_STORAGE: 's3',
    MREG_S3_BUCKET: `mreg-${id}`,
  };
  const running = new Map();
  try {
    const bootStarted = nowMs();
    for (const service of SERVICES) {
      checkBudget();
      const env = { ...common, PORT: String(await freePort()), MREG_DATA_DIR: path.join(workDir, service) };
      running.set(service, await startApp(service, env, workDir));
    }
    const gatewayEnv = {
      PORT: String(await freePort()),
      MREG_HOST: '127.0.0.1',
      MREG_REGISTRATION_URL: `http://127.0.0.1:${running.get('registration-service').port}`,
      MREG_GOVERNANCE_URL: `http://127.0.0.1:${running.get('governance-service').port}`,
      MREG_ARTIFACT_URL: `http://127.0.0.1:${running.get('artifact-service').port}`,
      MREG_AUDIT_URL: `http://127.0.0.1:${running.get('audit-service').port}`,
    };
    running.set('gateway', await startApp('gateway', gatewayEnv, workDir));
    const bootSeconds = round((nowMs() - bootStarted) / 1000, 1);
    log(`distributed: 4 services + gateway up in ${bootSeconds} s (log: ${logStore.label})`);
    const base = `http://127.0.0.1:${running.get('gateway').port}`;
    const result = await runPhases(
      base,
      async (extra) => {
        // Only the registration service handles version writes; the others keep their settings.
        running.set('registration-service', await restartApp(running.get('registration-service'), extra, workDir));
      },
      'distributed',
      OPTIONS.distributedConcurrency,
    );
    return {
      topology: `4 services + gateway as processes: ${logStore.label} log, Kafka bus, MongoDB-protocol read models, S3 artifacts`,
      servers: {
        source: servers.source,
        readStore: servers.privateFerretDbPort ? `FerretDB 1.24 (${FERRETDB_BACKEND === 'postgresql' ? 'PostgreSQL' : 'SQLite'} backend), private instance` : 'MongoDB protocol (MREG_MONGO_URL)',
        eventStore: logStore.eventStore,
        kafka: serverEnv.MREG_KAFKA_BROKERS,
        mongo: String(serverEnv.MREG_MONGO_URL).replace(/\/\/[^@/]*@/, '//***@'),
        s3: serverEnv.MREG_S3_ENDPOINT,
      },
      bootSeconds,
      ...result,
    };
  } finally {
    for (const name of ['gateway', ...SERVICES]) if (running.has(name)) await stopApp(running.get(name));
    await cleanUpServers(common, servers.privateFerretDbPort ? undefined : common.MREG_MONGO_DB, namespace);
    if (logStore.schema) await dropPostgresSchema(serverEnv.MREG_POSTGRES_URL, logStore.schema);
    if (servers.privateFerretDbPort) cleanPrivateMongo(servers.privateFerretDbPort);
    if (servers.startedByBench) stopStartedServers();
  }
}

// ---- main ------------------------------------------------------------------------------------------

async function main() {
  if (FLAGS.has('--hostile')) return require('./hostile.cjs').main();
  if (FLAGS.has('--contention')) return require('./contention.cjs').main();
  if (FLAGS.has('--reads')) return require('./reads.cjs').main();
  if (FLAGS.has('--rebuild')) return require('./rebuild.cjs').main();
  if (FLAGS.has('--recovery')) return require('./recovery.cjs').main();
  if (FLAGS.has('--console')) return require('./console.cjs').main();
  const result = await buildApps(['mreg', 'registration-service', 'governance-service', 'artifact-service', 'audit-service', 'gateway']);
  if (!result.ok) throw new Error('build failed (nx run-many -t build, output above)');
  const workDir = fs.mkdtempSync(path.join(os.tmpdir(), 'mreg-bench-'));
  const report = {
    timestamp: new Date().toISOString(),
    machine: {
      cpus: os.cpus().length,
      cpuModel: os.cpus()[0] ? os.cpus()[0].model : 'unknown',
      memoryGiB: round(os.totalmem() / 1024 ** 3, 1),
      platform: `${os.platform()} ${os.release()} ${os.arch()}`,
      node: process.version,
      // Other work on the machine skews the numbers: the 1-minute load average before and after the run.
      loadAverageBefore: round(os.loadavg()[0], 2),
    },
    options: {
      warmup: OPTIONS.warmup,
      versions: OPTIONS.versions,
      models: OPTIONS.models,
      concurrency: OPTIONS.concurrency,
      distributedConcurrency: OPTIONS.distributedConcurrency,
      lagSamples: OPTIONS.lagSamples,
      lagSequential: OPTIONS.lagSequential,
      pollMs: OPTIONS.pollMs,
    },
  };
  activeWorkDir = workDir;
  const watchdog = setTimeout(
    () => {
      // Last resort: a phase hung past the budget plus a minute. Kill our children and report what we have.
      for (const child of children) child.kill('SIGKILL');
      mlflowBench.killAll('SIGKILL');
      report.error = 'the bench hung past its time budget and was stopped';
      process.stdout.write(`${JSON.stringify(report, null, 2)}\n`);
      process.exit(1);
    },
    (OPTIONS.budgetS + (RUN_MLFLOW ? mlflowBench.options(FLAGS.has('--quick')).budgetS : 0) + 60) * 1000,
  );
  watchdog.unref();
  let failed = false;
  try {
    for (const topology of ['embedded', 'distributed']) {
      if (MLFLOW_ONLY || !OPTIONS.topologies.includes(topology)) {
        report[topology] = { skipped: MLFLOW_ONLY ? 'not selected (--mlflow)' : 'not selected (MREG_BENCH_TOPOLOGIES)' };
        continue;
      }
      const started = nowMs();
      try {
        checkBudget();
        report[topology] = topology === 'embedded' ? await embedded(workDir) : await distributed(workDir);
      } catch (error) {
        failed = true;
        report[topology] = { error: String(error && error.message ? error.message : error) };
        log(`${topology} failed: ${report[topology].error}`);
      }
      if (!report[topology].skipped) report[topology].wallSeconds = round((nowMs() - started) / 1000, 1);
    }
    if (RUN_MLFLOW) {
      report.mlflow = await mlflowBench.mlflowSection({
        workDir,
        log,
        quick: FLAGS.has('--quick'),
        startApp,
        stopApp,
        freePort,
        mregEnv: embeddedEnv,
        token: TOKEN,
      });
      if (report.mlflow.error) failed = true;
    } else {
      report.mlflow = { skipped: 'not selected (--no-mlflow or MREG_BENCH_MLFLOW=0)' };
    }
  } finally {
    for (const child of children) child.kill('SIGKILL');
    mlflowBench.killAll('SIGKILL');
    if (!failed) fs.rmSync(workDir, { recursive: true, force: true });
    else log(`logs kept in ${workDir}`);
  }
  report.machine.loadAverageAfter = round(os.loadavg()[0], 2);
  process.stdout.write(`${JSON.stringify(report, null, 2)}\n`);
  process.exitCode = failed ? 1 : 0;
}

let activeWorkDir;
let interrupted = false;
for (const signal of ['SIGINT', 'SIGTERM']) {
  // Ctrl-C reaches this process twice (from the terminal and forwarded by tools/node/run.cjs): act once, and
  // keep handling the signal so the second one does not kill the process before it has cleaned up.
  process.on(signal, () => {
    if (interrupted) return;
    interrupted = true;
    for (const child of children) child.kill('SIGTERM');
    // The mlflow server (uvicorn and its workers) and the workload run in process groups of their own.
    mlflowBench.killAll('SIGTERM');
    setTimeout(() => {
      for (const child of children) child.kill('SIGKILL');
      mlflowBench.killAll('SIGKILL');
      // Artifacts of hundreds of MiB may be in it: do not leave the work dir behind.
      if (activeWorkDir) fs.rmSync(activeWorkDir, { recursive: true, force: true });
      process.exit(130);
    }, 1500);
  });
}

main().catch((error) => {
  process.stderr.write(`[bench] ${error && error.stack ? error.stack : error}\n`);
  for (const child of children) child.kill('SIGKILL');
  mlflowBench.killAll('SIGKILL');
  process.exit(1);
});
