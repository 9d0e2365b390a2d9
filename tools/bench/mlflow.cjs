// The MLflow section of `npm run bench`: the same MLflow client workload (tools/bench/mlflow_workload.py, the
// official client from the pinned venv of tools/python/venv.sh) against mreg's embedded registry and against a
// real `mlflow server` (SQLite backend, artifact proxy on, same venv) started here, in one run; per row both
// values and the ratio (> 1: mreg is faster). docs/operations/benchmarks.md explains the rows.
//
// One client process per server (the workload's --serve mode); phases run one at a time, the server order
// alternating from phase to phase:
//   register (N versions of one model), search, load (by alias), artifacts (upload + download of M MiB).
// Knobs (env): MREG_BENCH_MLFLOW_VERSIONS=200  MREG_BENCH_MLFLOW_SEARCH_CALLS=50  MREG_BENCH_MLFLOW_LOADS=20
// MREG_BENCH_MLFLOW_ARTIFACT_MB=100  MREG_BENCH_MLFLOW_ARTIFACT_REPEATS=3  MREG_BENCH_MLFLOW_WORKERS=4
// MREG_BENCH_MLFLOW_SOURCE=runs|artifacts|model-id  MREG_BENCH_MLFLOW_CAP_PHASE_S=90 (per workload phase)
// MREG_BENCH_MLFLOW_BUDGET_S=600 (the whole section). `--quick` makes the defaults 50 versions, 20 searches,
// 5 loads, 20 MiB once (1-2 minutes in all); an explicit env value wins.
'use strict';
const { execFileSync, spawn } = require('node:child_process');
const fs = require('node:fs');
const os = require('node:os');
const path = require('node:path');
const { setTimeout: sleep } = require('node:timers/promises');
const { envInt } = require('./lib.cjs');

const ROOT = path.resolve(__dirname, '..', '..');
const WORKLOAD = path.join(__dirname, 'mlflow_workload.py');
const PHASES = ['register', 'search', 'load', 'artifacts'];

const RATIO_MEANING = 'ratio > 1 means mreg is faster: mreg / MLflow for throughput rows (higher is better), MLflow / mreg for latency rows (lower is better)';

function options(quick) {
  const source = process.env.MREG_BENCH_MLFLOW_SOURCE || 'runs';
  if (!['runs', 'artifacts', 'model-id'].includes(source)) throw new Error(`MREG_BENCH_MLFLOW_SOURCE: runs, artifacts or model-id, got "${source}"`);
  return {
    quick,
    versions: envInt('MREG_BENCH_MLFLOW_VERSIONS', quick ? 50 : 200),
    searchCalls: envInt('MREG_BENCH_MLFLOW_SEARCH_CALLS', quick ? 20 : 50),
    loads: envInt('MREG_BENCH_MLFLOW_LOADS', quick ? 5 : 20),
    artifactMiB: envInt('MREG_BENCH_MLFLOW_ARTIFACT_MB', quick ? 20 : 100),
    artifactRepeats: envInt('MREG_BENCH_MLFLOW_ARTIFACT_REPEATS', quick ? 1 : 3),
    workers: envInt('MREG_BENCH_MLFLOW_WORKERS', 4),
    source,
    capPhaseS: envInt('MREG_BENCH_MLFLOW_CAP_PHASE_S', 90),
    budgetS: envInt('MREG_BENCH_MLFLOW_BUDGET_S', 600, 30),
  };
}

// ---- rows ------------------------------------------------------------------------------------------

// [key, phase, what it measures, unit, kind, pick(phaseResult)]; kind 'throughput' (higher is better) or 'latency'.
const ROWS = [
  ['register.versionsPerSecond', 'register', 'create_model_version, N sequential calls on one model', 'versions/s', 'throughput', (p) => p.versionsPerSecond],
  ['register.p50Ms', 'register', 'create_model_version latency p50', 'ms', 'latency', (p) => p.latencyMs.p50],
  ['register.p95Ms', 'register', 'create_model_version latency p95', 'ms', 'latency', (p) => p.latencyMs.p95],
  ['searchModelVersionsByName.p50Ms', 'search', 'search_model_versions("name = \'<model>\'"), all N versions in one page, p50', 'ms', 'latency', (p) => sub(p, 'searchModelVersionsByName').latencyMs.p50],
  ['searchModelVersionsByName.p95Ms', 'search', 'the same, p95', 'ms', 'latency', (p) => sub(p, 'searchModelVersionsByName').latencyMs.p95],
  ['searchModelVersionsByTag.p50Ms', 'search', "search_model_versions(\"name = '<model>' AND tags.batch = '3'\"), N/10 versions, p50", 'ms', 'latency', (p) => sub(p, 'searchModelVersionsByTag').latencyMs.p50],
  ['searchModelVersionsByTag.p95Ms', 'search', 'the same, p95', 'ms', 'latency', (p) => sub(p, 'searchModelVersionsByTag').latencyMs.p95],
  ['searchRegisteredModels.p50Ms', 'search', 'search_registered_models("name LIKE \'<prefix>%\'"), p50', 'ms', 'latency', (p) => sub(p, 'searchRegisteredModels').latencyMs.p50],
  ['searchRegisteredModels.p95Ms', 'search', 'the same, p95', 'ms', 'latency', (p) => sub(p, 'searchRegisteredModels').latencyMs.p95],
  ['loadByAlias.p50Ms', 'load', 'mlflow.pyfunc.load_model("models:/<model>@champion") of a small scikit-learn model, p50', 'ms', 'latency', (p) => p.latencyMs.p50],
  ['artifactUpload.MiBPerSecond', 'artifacts', 'mlflow.log_artifact of the M MiB file through the artifact proxy, median', 'MiB/s', 'throughput', (p) => p.uploadMiBPerSecond],
  ['artifactDownload.MiBPerSecond', 'artifacts', 'mlflow.artifacts.download_artifacts of it, median', 'MiB/s', 'throughput', (p) => p.downloadMiBPerSecond],
];

function sub(phase, key) {
  const s = phase[key];
  if (!s) throw new Error(`no ${key} result`);
  if (s.error) throw new Error(s.error);
  return s;
}

function valueOf(results, phase, pick) {
  const p = results[phase];
  if (!p) return { error: 'not run' };
  if (p.error) return { error: p.error };
  try {
    const v = pick(p);
    if (typeof v !== 'number' || !Number.isFinite(v)) return { error: 'no value' };
    return { value: v };
  } catch (error) {
    return { error: String(error.message || error) };
  }
}

function rows(mreg, mlflow) {
  const out = {};
  for (const [key, phase, what, unit, kind, pick] of ROWS) {
    const a = valueOf(mreg, phase, pick);
    const b = valueOf(mlflow, phase, pick);
    const row = { what, unit, better: kind === 'throughput' ? 'higher' : 'lower', mreg: a.value ?? null, mlflow: b.value ?? null };
    if (a.error === undefined && b.error === undefined) {
      const ratio = kind === 'throughput' ? Number(a.value) / Number(b.value) : Number(b.value) / Number(a.value);
      row.ratio = Number.isFinite(ratio) ? Number(ratio.toFixed(2)) : null;
      row.mregAtLeastAsFast = row.ratio !== null && row.ratio >= 1;
    } else {
      row.ratio = null;
      row.mregAtLeastAsFast = false;
      row.error = [a.error !== undefined ? `mreg: ${a.error}` : null, b.error !== undefined ? `MLflow: ${b.error}` : null].filter(Boolean).join('; ');
    }
    out[key] = row;
  }
  // Different answers to the same search are worth seeing next to the timings.
  for (const key of ['searchModelVersionsByName', 'searchModelVersionsByTag', 'searchRegisteredModels']) {
    const a = mreg.search && mreg.search[key];
    const b = mlflow.search && mlflow.search[key];
    if (a && b && !a.error && !b.error && a.results !== b.results) {
      for (const suffix of ['p50Ms', 'p95Ms']) out[`${key}.${suffix}`].note = `results differ: mreg ${a.results}, MLflow ${b.results}`;
    }
  }
  return out;
}

// ---- processes -------------------------------------------------------------------------------------

/** Process groups started here (the mlflow CLI forks uvicorn and its workers): killed as a whole. */
const groups = new Set();

function killGroup(child, signal) {
  try {
    process.kill(-child.pid, signal);
  } catch {
    // already gone
  }
}

let stopping = false;

/** For the signal handler of run.cjs: no new phase starts, and every process group of this section goes. */
function killAll(signal = 'SIGKILL') {
  stopping = true;
  for (const child of groups) killGroup(child, signal);
}

async function stopGroup(child) {
  if (child.exitCode === null && child.signalCode === null) {
    const gone = new Promise((resolve) => child.once('exit', resolve));
    killGroup(child, 'SIGTERM');
    const timer = setTimeout(() => killGroup(child, 'SIGKILL'), 10_000);
    await gone;
    clearTimeout(timer);
  }
  // Workers outliving their parent: the group is gone only when all of them are.
  await sleep(200);
  killGroup(child, 'SIGKILL');
  groups.delete(child);
}

function venvPath() {
  const out = execFileSync('bash', [path.join(ROOT, 'tools', 'python', 'venv.sh')], { encoding: 'utf8', stdio: ['ignore', 'pipe', 'inherit'], timeout: 900_000 });
  const venv = out.trim().split('\n').pop();
  if (!venv || !fs.existsSync(path.join(venv, 'bin', 'python'))) throw new Error(`tools/python/venv.sh printed "${out.trim().slice(0, 200)}"`);
  return venv;
}

/** The environment of every Python process: no MLFLOW_* from the caller's shell, telemetry off. */
function pythonEnv(extra) {
  const env = {};
  for (const [k, v] of Object.entries(process.env)) if (!/^MLFLOW_/.test(k)) env[k] = v;
  return { ...env, MLFLOW_DISABLE_TELEMETRY: 'true', DO_NOT_TRACK: 'true', PYTHONUNBUFFERED: '1', ...extra };
}

async function startMlflowServer(venv, workDir, port, workers, log) {
  const dir = path.join(workDir, 'mlflow-server');
  fs.mkdirSync(path.join(dir, 'artifacts'), { recursive: true });
  const logFile = path.join(workDir, 'mlflow-server.log');
  const out = fs.openSync(logFile, 'a');
  const args = [
    'server',
    '--backend-store-uri',
    `sqlite:///${path.join(dir, 'mlflow.db')}`,
    '--serve-artifacts',
    '--artifacts-destination',
    path.join(dir, 'artifacts'),
    '--host',
    '127.0.0.1',
    '--port',
    String(port),
    '--workers',
    String(workers),
  ];
  const started = Date.now();
  const child = spawn(path.join(venv, 'bin', 'mlflow'), args, { detached: true, stdio: ['ignore', out, out], env: pythonEnv({ TMPDIR: path.join(workDir, 'tmp') }) });
  fs.closeSync(out);
  groups.add(child);
  const until = Date.now() + 180_000;
  while (Date.now() < until) {
    if (child.exitCode !== null || child.signalCode !== null) break;
    try {
      const r = await fetch(`http://127.0.0.1:${port}/health`, { signal: AbortSignal.timeout(2000) });
      if (r.ok) {
        const bootSeconds = Number(((Date.now() - started) / 1000).toFixed(1));
        log(`mlflow: mlflow server (${workers} workers) up on port ${port} in ${bootSeconds} s`);
        return { child, bootSeconds, logFile };
      }
    } catch {
      // not listening yet
    }
    await sleep(250);
  }
  const tail = fs.existsSync(logFile) ? fs.readFileSync(logFile, 'utf8').split('\n').slice(-20).join('\n') : '';
  await stopGroup(child);
  throw new Error(`mlflow server did not become healthy; log tail:\n${tail}`);
}

/**
 * The workload as a long-lived client process per server (`--serve`): the Python start and imports are paid
 * once per server, not per phase. run(phase) resolves to the phase result (or {error}) and never rejects; a
 * phase past its timeout kills the process, and the next phase starts a new one.
 */
class Workload {
  constructor(venv, target, opts, workDir) {
    this.venv = venv;
    this.target = target;
    this.opts = opts;
    this.workDir = workDir;
    /** @type {import('node:child_process').ChildProcessWithoutNullStreams | null} */
    this.child = null;
    /** @type {string[]} */
    this.lines = [];
    /** @type {((line: string | null) => void)[]} */
    this.waiters = [];
    /** @type {string | number | null} */
    this.exited = null;
    this.logFile = path.join(workDir, `mlflow-workload-${target.label}.log`);
  }

  spawn() {
    const { opts, target } = this;
    const args = [
      WORKLOAD,
      '--serve',
      '--tracking-uri',
      target.uri,
      '--model',
      target.model,
      '--versions',
      String(opts.versions),
      '--source',
      opts.source,
      '--search-calls',
      String(opts.searchCalls),
      '--search-versions',
      String(Math.min(opts.versions, 50)),
      '--loads',
      String(opts.loads),
      '--artifact-mb',
      String(opts.artifactMiB),
      '--artifact-repeats',
      String(opts.artifactRepeats),
    ];
    const err = fs.openSync(this.logFile, 'a');
    // stdin and stdout are pipes (stderr goes to the log file).
    const child = /** @type {import('node:child_process').ChildProcessWithoutNullStreams} */ (
      spawn(path.join(this.venv, 'bin', 'python'), args, {
        detached: true,
        stdio: ['pipe', 'pipe', err],
        env: pythonEnv({ TMPDIR: path.join(this.workDir, 'tmp'), ...target.env }),
      })
    );
    fs.closeSync(err);
    groups.add(child);
    this.child = child;
    this.exited = null;
    let buffer = '';
    child.stdout.setEncoding('utf8');
    child.stdout.on('data', (d) => {
      buffer += d;
      let i;
      while ((i = buffer.indexOf('\n')) >= 0) {
        const line = buffer.slice(0, i).trim();
        buffer = buffer.slice(i + 1);
        if (!line) continue;
        const waiter = this.waiters.shift();
        if (waiter) waiter(line);
        else this.lines.push(line);
      }
    });
    child.stdin.on('error', () => undefined);
    child.once('exit', (code, signal) => {
      groups.delete(child);
      this.exited = signal || code;
      for (const waiter of this.waiters.splice(0)) waiter(null);
    });
  }

  nextLine(timeoutMs) {
    if (this.lines.length > 0) return Promise.resolve(this.lines.shift());
    if (this.exited !== null) return Promise.resolve(null);
    return new Promise((resolve) => {
      const waiter = (line) => {
        clearTimeout(timer);
        resolve(line);
      };
      const timer = setTimeout(() => {
        this.waiters = this.waiters.filter((w) => w !== waiter);
        resolve(undefined);
      }, timeoutMs);
      this.waiters.push(waiter);
    });
  }

  tail() {
    return fs.existsSync(this.logFile) ? fs.readFileSync(this.logFile, 'utf8').trim().split('\n').slice(-4).join(' | ').slice(-600) : '';
  }

  async kill() {
    if (this.child && this.exited === null) await stopGroup(this.child);
    this.child = null;
  }

  /** Starts the process (if not running) and waits for its "ready" line. */
  async start(timeoutMs = 120_000) {
    if (this.child && this.exited === null) return null;
    this.lines = [];
    this.spawn();
    const line = await this.nextLine(timeoutMs);
    if (line && /"ready"/.test(line)) return null;
    const why = line === undefined ? `not ready after ${Math.round(timeoutMs / 1000)} s` : `exited with ${this.exited}`;
    await this.kill();
    return `the workload ${why}: ${this.tail()}`;
  }

  async run(phase, capS, timeoutMs) {
    const started = Date.now();
    const problem = await this.start(Math.min(120_000, timeoutMs));
    if (problem) return { error: problem };
    this.child?.stdin.write(`${JSON.stringify({ phase, capS })}\n`);
    const line = await this.nextLine(Math.max(1000, timeoutMs - (Date.now() - started)));
    if (line === undefined) {
      await this.kill();
      return { error: `the workload timed out after ${Math.round(timeoutMs / 1000)} s in ${phase}: ${this.tail()}` };
    }
    if (line === null) return { error: `the workload exited with ${this.exited} in ${phase}: ${this.tail()}` };
    try {
      const doc = JSON.parse(line);
      if (doc.phase === phase && doc.result) return doc.result;
    } catch {
      // fall through
    }
    return { error: `the workload answered "${line.slice(0, 200)}"` };
  }

  async close() {
    const child = this.child;
    if (child && this.exited === null) {
      child.stdin.end();
      const gone = new Promise((resolve) => child.once('exit', resolve));
      await Promise.race([gone, sleep(5000)]);
    }
    await this.kill();
  }
}

// ---- the section -----------------------------------------------------------------------------------

/**
 * ctx: { workDir, log, quick, startApp, stopApp, freePort, mregEnv(dataDir, port) , token }
 * Returns the `mlflow` section of the report (never throws for a failed row: rows carry `error`).
 */
async function mlflowSection(ctx) {
  const { workDir, log } = ctx;
  const opts = options(ctx.quick);
  const deadline = Date.now() + opts.budgetS * 1000;
  const started = Date.now();
  let venv;
  try {
    venv = venvPath();
  } catch (error) {
    return { skipped: `no Python venv with the MLflow client and server (tools/python/venv.sh): ${String(error.message || error).split('\n')[0]}` };
  }
  const version = execFileSync(path.join(venv, 'bin', 'python'), ['-c', 'import importlib.metadata as m; print(m.version("mlflow"))'], { encoding: 'utf8' }).trim();
  fs.mkdirSync(path.join(workDir, 'tmp'), { recursive: true });

  let server;
  let mreg;
  /** @type {Record<string, Workload> | undefined} */
  let workloads;
  const section = {
    ratioMeaning: RATIO_MEANING,
    // Other work on the machine moves both sides' numbers: the 1-minute load average when the section began.
    loadAverageBefore: Number(os.loadavg()[0].toFixed(2)),
    client: `mlflow ${version} (official Python client, ${venv})`,
    options: { versions: opts.versions, searchCalls: opts.searchCalls, loads: opts.loads, artifactMiB: opts.artifactMiB, artifactRepeats: opts.artifactRepeats, source: opts.source, quick: opts.quick },
  };
  try {
    log(`mlflow: starting mlflow server ${version} (SQLite, artifact proxy, ${opts.workers} workers) and mreg (embedded)`);
    const mlflowPort = await ctx.freePort();
    server = await startMlflowServer(venv, workDir, mlflowPort, opts.workers, log);
    const mregPort = await ctx.freePort();
    const mregStarted = Date.now();
    mreg = await ctx.startApp('mreg', ctx.mregEnv(path.join(workDir, 'mlflow-mreg'), mregPort), workDir);
    const mregBootSeconds = Number(((Date.now() - mregStarted) / 1000).toFixed(1));
    section.servers = {
      mreg: { what: 'embedded registry (apps/mreg): SQLite log and read models, fs artifacts; MLFLOW_TRACKING_TOKEN = an admin token', bootSeconds: mregBootSeconds },
      mlflow: { what: `mlflow server ${version}: --backend-store-uri sqlite, --serve-artifacts (local folder), --workers ${opts.workers}`, bootSeconds: server.bootSeconds },
    };
    const model = `bench-mlflow-${Date.now().toString(36)}`;
    const targets = {
      mreg: { label: 'mreg', uri: `http://127.0.0.1:${mregPort}`, model, env: { MLFLOW_TRACKING_TOKEN: ctx.token } },
      mlflow: { label: 'mlflow', uri: `http://127.0.0.1:${mlflowPort}`, model, env: {} },
    };
    workloads = { mreg: new Workload(venv, targets.mreg, opts, workDir), mlflow: new Workload(venv, targets.mlflow, opts, workDir) };
    // Both client processes import mlflow and scikit-learn before anything is measured.
    for (const [who, problem] of Object.entries(workloads).map(([who, w]) => [who, w.start()])) {
      const why = await problem;
      if (why) log(`mlflow: the ${who} client did not start (it is retried per phase): ${why}`);
    }
    /** @type {Record<string, Record<string, unknown>>} */
    const results = { mreg: {}, mlflow: {} };
    const order = [];
    for (let i = 0; i < PHASES.length; i++) {
      const phase = PHASES[i];
      // Alternate who goes first, so neither server always runs on the machine state the other left.
      const pair = i % 2 === 0 ? ['mlflow', 'mreg'] : ['mreg', 'mlflow'];
      for (const who of pair) {
        if (stopping) throw new Error('stopped');
        const left = deadline - Date.now();
        if (left < 15_000) {
          results[who][phase] = { error: `the section's budget of ${opts.budgetS} s was used up` };
          continue;
        }
        // The cap stops the phase taking new work; the rest of the timeout is set-up and the last calls.
        const timeoutMs = Math.min(left - 5_000, (opts.capPhaseS + 60) * 1000);
        const capS = Math.max(5, Math.min(opts.capPhaseS, Math.floor(timeoutMs / 1000) - 45));
        log(`mlflow: ${phase} against ${who}`);
        const r = await /** @type {Workload} */ (workloads[who]).run(phase, capS, timeoutMs);
        results[who][phase] = r;
        order.push(`${phase}:${who}`);
        log(`mlflow: ${phase} against ${who}: ${r.error ? `error: ${r.error.slice(0, 200)}` : brief(phase, r)}`);
      }
    }
    section.order = order;
    section.rows = rows(results.mreg, results.mlflow);
    const notYet = Object.entries(section.rows)
      .filter(([, r]) => !r.mregAtLeastAsFast)
      .map(([k, r]) => (r.error ? `${k} (error)` : `${k} (ratio ${r.ratio})`));
    section.mregAtLeastAsFastOnEveryRow = notYet.length === 0;
    section.notYet = notYet;
    section.raw = results;
  } catch (error) {
    section.error = String(error && error.message ? error.message : error);
    log(`mlflow: ${section.error}`);
  } finally {
    if (workloads) await Promise.all(Object.values(workloads).map((w) => w.close()));
    if (mreg) await ctx.stopApp(mreg);
    if (server) await stopGroup(server.child);
    killAll('SIGKILL');
    // Hundreds of MiB of artifacts on each side: gone even when the run keeps its logs for a failure.
    for (const dir of ['mlflow-server', 'mlflow-mreg', 'tmp']) fs.rmSync(path.join(workDir, dir), { recursive: true, force: true });
  }
  section.loadAverageAfter = Number(os.loadavg()[0].toFixed(2));
  section.wallSeconds = Number(((Date.now() - started) / 1000).toFixed(1));
  return section;
}

function brief(phase, r) {
  try {
    if (phase === 'register') return `${r.versionsPerSecond} versions/s, p50 ${r.latencyMs.p50} ms`;
    if (phase === 'search')
      return Object.entries(r)
        .filter(([k]) => k !== 'wallSeconds')
        .map(([k, v]) => `${k} ${v.error ? 'error' : `p50 ${v.latencyMs.p50} ms`}`)
        .join(', ');
    if (phase === 'load') return `p50 ${r.latencyMs.p50} ms`;
    if (phase === 'artifacts') return `up ${r.uploadMiBPerSecond} MiB/s, down ${r.downloadMiBPerSecond} MiB/s`;
  } catch {
    // fall through
  }
  return 'done';
}

module.exports = { mlflowSection, killAll, options };
