#!/usr/bin/env node
// `npm run bench -- --recovery`: how soon a killed process serves again. Each process is SIGKILLed (a crash: no
// clean leave, its Kafka group memberships stay until their session runs out) and started again from its build
// output; the time from the spawn of the new process to the first 200 of /health (it answers) and of /ready
// (its adapters and consumers are in) is measured, polling every 20 ms. Processes run through the container's
// entry point, deploy/app.cjs (what a supervisor restarts), with the compile cache in the run's scratch folder:
// the first start fills it (reported as firstStart), the restarts use it. One SIGTERM restart per service shows a
// planned restart (the consumers leave their groups on shutdown). Prints ONE JSON document on stdout; progress
// goes to stderr.
//
//   embedded     the all-in-one registry (`npm start`) on a data dir seeded with models and versions
//   distributed  registration, governance, artifact and audit services on the real servers (MREG_KAFKA_BROKERS,
//                MREG_MONGO_URL, MREG_S3_*, MREG_POSTGRES_URL: the log on PostgreSQL in a schema of the run's own,
//                dropped afterwards with the run's MongoDB database and Kafka topics); skipped without them
//
// Knobs (env): MREG_BENCH_RECOVERY_TOPOLOGIES=embedded,distributed  MREG_BENCH_RECOVERY_REPS=3 (SIGKILLs per process)
// MREG_BENCH_RECOVERY_SEED=200 (versions in the seeded registry)  MREG_BENCH_RECOVERY_CAP_S=90 (per restart)
'use strict';
const { spawn } = require('node:child_process');
const fs = require('node:fs');
const os = require('node:os');
const path = require('node:path');
const { setTimeout: sleep } = require('node:timers/promises');
const { envInt, freePort, percentiles, request, runIfMain } = require('./lib.cjs');

const ROOT = path.resolve(__dirname, '..', '..');
const ENTRY = path.join(ROOT, 'deploy', 'app.cjs');
const SERVICES = ['registration-service', 'governance-service', 'artifact-service', 'audit-service'];
const OPTIONS = {
  topologies: (process.env.MREG_BENCH_RECOVERY_TOPOLOGIES || 'embedded,distributed').split(',').map((s) => s.trim()),
  reps: envInt('MREG_BENCH_RECOVERY_REPS', 3),
  seed: envInt('MREG_BENCH_RECOVERY_SEED', 200, 0),
  capS: envInt('MREG_BENCH_RECOVERY_CAP_S', 90),
};
const GOAL_HEALTH_MS = 5000;
const TOKEN = 'recovery-bench-token-0001';
const TOKENS = JSON.stringify({ [TOKEN]: { user: 'ops', roles: ['admin'] } });

const log = (message) => process.stderr.write(`[recovery] ${message}\n`);
const loadAverage = () => os.loadavg().map((l) => Math.round(l * 100) / 100);

/**
 * CPU time (user + system) a process has used so far, from /proc (Linux; null elsewhere): what a start costs,
 * which unlike its wall time does not grow with the machine's load.
 */
function cpuMs(pid) {
  try {
    const fields = fs.readFileSync(`/proc/${pid}/stat`, 'utf8').split(') ')[1].split(' ');
    return Math.round(((Number(fields[11]) + Number(fields[12])) * 1000) / CLOCK_TICKS);
  } catch {
    return null;
  }
}
const CLOCK_TICKS = 100;

/** A process of the registry from its build output, restartable on the same port with the same settings. */
class Process {
  /** @param {string} name the app @param {Record<string, string | undefined>} env @param {string} logFile */
  constructor(name, env, logFile) {
    this.name = name;
    this.env = env;
    this.logFile = logFile;
    /** @type {import('node:child_process').ChildProcess | undefined} */
    this.child = undefined;
  }

  get base() {
    return `http://127.0.0.1:${this.env.PORT}`;
  }

  /** Spawns the process and times the first 200 of /health and of /ready from the spawn, in ms. */
  async start() {
    const out = fs.openSync(this.logFile, 'a');
    const spawned = performance.now();
    this.child = spawn(process.execPath, ['--disable-warning=ExperimentalWarning', ENTRY, this.name], { env: this.env, stdio: ['ignore', out, out] });
    fs.closeSync(out);
    const child = this.child;
    /** @type {{ healthMs?: number, readyMs?: number, cpuMsToHealth?: number | null }} */
    const times = {};
    for (const until = Date.now() + OPTIONS.capS * 1000; Date.now() < until && times.readyMs === undefined; await sleep(20)) {
      if (child.exitCode !== null || child.signalCode !== null) throw new Error(`${this.name} exited (${child.exitCode ?? child.signalCode}); see ${this.logFile}`);
      for (const probe of /** @type {const} */ (['health', 'ready'])) {
        if (times[`${probe}Ms`] !== undefined) continue;
        if (probe === 'ready' && times.healthMs === undefined) continue;
        try {
          const reply = await fetch(`${this.base}/${probe}`, { signal: AbortSignal.timeout(3000) });
          await reply.arrayBuffer();
          if (reply.ok) {
            times[`${probe}Ms`] = Math.round(performance.now() - spawned);
            if (probe === 'health') times.cpuMsToHealth = cpuMs(child.pid);
          }
        } catch {
          // not listening yet
        }
      }
    }
    if (times.readyMs === undefined) throw new Error(`${this.name} not ready within ${OPTIONS.capS} s (health: ${times.healthMs ?? 'never'}); see ${this.logFile}`);
    return times;
  }

  /** Sends `signal` and waits for the process to be gone. */
  async stop(signal) {
    const child = this.child;
    if (!child || child.exitCode !== null || child.signalCode !== null) return;
    const exited = new Promise((resolve) => child.once('exit', resolve));
    child.kill(signal);
    await Promise.race([exited, sleep(30_000)]);
    if (child.exitCode === null && child.signalCode === null) {
      child.kill('SIGKILL');
      await exited;
    }
  }
}

/** `reps` SIGKILL + restart cycles of `proc`, then one SIGTERM + restart: the times of each and their summary. */
async function restarts(proc) {
  const killed = [];
  for (let i = 0; i < OPTIONS.reps; i++) {
    await proc.stop('SIGKILL');
    const load = loadAverage();
    const times = await proc.start();
    log(`${proc.name} after SIGKILL: /health ${times.healthMs} ms (cpu ${times.cpuMsToHealth} ms), /ready ${times.readyMs} ms (load ${load.join(' ')})`);
    killed.push({ ...times, loadAverage: load });
  }
  await proc.stop('SIGTERM');
  const planned = { ...(await proc.start()), loadAverage: loadAverage() };
  log(`${proc.name} after SIGTERM: /health ${planned.healthMs} ms, /ready ${planned.readyMs} ms`);
  const health = percentiles(killed.map((r) => r.healthMs));
  const cpu = percentiles(killed.flatMap((r) => (typeof r.cpuMsToHealth === 'number' ? [r.cpuMsToHealth] : [])));
  const ready = percentiles(killed.map((r) => r.readyMs));
  return {
    afterSigkill: { healthP50Ms: health.p50Ms, healthMaxMs: health.maxMs, cpuMsToHealthP50: cpu.p50Ms, readyP50Ms: ready.p50Ms, readyMaxMs: ready.maxMs, runs: killed },
    afterSigterm: planned,
    healthWithinGoal: health.maxMs !== null && health.maxMs <= GOAL_HEALTH_MS,
  };
}

async function build(apps) {
  const { buildApps } = require('../build/nx.cjs');
  const built = await buildApps(apps);
  if (!built.ok) throw new Error('build failed (nx run-many -t build, output above)');
}

async function embedded() {
  await build(['mreg']);
  const workDir = fs.mkdtempSync(path.join(os.tmpdir(), 'mreg-recovery-'));
  const env = { ...process.env, PORT: String(await freePort()), MREG_HOST: '127.0.0.1', MREG_DATA_DIR: path.join(workDir, 'data'), MREG_TOKENS: TOKENS, MREG_LOG_LEVEL: 'warn', NODE_COMPILE_CACHE: path.join(workDir, 'compile-cache') };
  const proc = new Process('mreg', env, path.join(workDir, 'mreg.log'));
  try {
    const first = await proc.start();
    log(`embedded first start: /health ${first.healthMs} ms; seeding ${OPTIONS.seed} versions`);
    const models = Math.max(1, Math.ceil(OPTIONS.seed / 20));
    for (let m = 0; m < models; m++) {
      const name = `recovery-${m}`;
      const created = await request(proc.base, TOKEN, 'POST', '/api/v1/models', { name }, 30_000);
      if (created.status !== 201) throw new Error(`creating ${name}: ${created.status} ${JSON.stringify(created.json)}`);
      for (let v = m * 20; v < Math.min(OPTIONS.seed, (m + 1) * 20); v++) {
        const reply = await request(proc.base, TOKEN, 'POST', `/api/v1/models/${name}/versions`, { params: { lr: String(v) }, metrics: { auc: 0.5 } }, 30_000);
        if (reply.status !== 201) throw new Error(`registering a version of ${name}: ${reply.status} ${JSON.stringify(reply.json)}`);
      }
    }
    return { firstStart: first, ...(await restarts(proc)) };
  } finally {
    await proc.stop('SIGTERM');
    fs.rmSync(workDir, { recursive: true, force: true });
  }
}

/** The settings each service gets in the distributed e2e topology (libs/testing/e2e/src/distributed-topology.ts). */
function serviceEnv(id, workDir) {
  /** @type {Record<string, string | undefined>} */
  const env = {
    ...process.env,
    MREG_TOKENS: TOKENS,
    MREG_EVENT_STORE: 'postgres',
    MREG_POSTGRES_SCHEMA: `mreg_${id}`,
    MREG_EVENT_BUS: 'kafka',
    MREG_KAFKA_NAMESPACE: `${id}.`,
    MREG_KAFKA_PARTITIONS: '3',
    MREG_READ_STORE: 'mongo',
    MREG_MONGO_DB: `mreg_${id}`,
    MREG_ARTIFACT_STORAGE: 's3',
    MREG_S3_BUCKET: `mreg-${id}`,
    MREG_HOST: '127.0.0.1',
    MREG_LOG_LEVEL: 'warn',
    NODE_COMPILE_CACHE: path.join(workDir, 'compile-cache'),
  };
  return (service, port) => ({ ...env, PORT: String(port), MREG_DATA_DIR: path.join(workDir, service) });
}

/** Drops what the run left on the shared servers: its PostgreSQL schema, MongoDB database, Kafka topics and groups. */
async function cleanUp(id) {
  const steps = {
    async postgres() {
      const { Client } = require('pg');
      const client = new Client({ connectionString: String(process.env.MREG_POSTGRES_URL) });
      await client.connect();
      try {
        await client.query(`DROP SCHEMA IF EXISTS "mreg_${id}" CASCADE`);
      } finally {
        await client.end();
      }
    },
    async mongo() {
      const { MongoClient } = require('mongodb');
      const client = new MongoClient(String(process.env.MREG_MONGO_URL), { serverSelectionTimeoutMS: 5000 });
      try {
        await client.db(`mreg_${id}`).dropDatabase();
      } finally {
        await client.close();
      }
    },
    async kafka() {
      const { Kafka, logLevel } = require('kafkajs');
      const admin = new Kafka({ clientId: 'mreg-bench', brokers: String(process.env.MREG_KAFKA_BROKERS).split(','), logLevel: logLevel.NOTHING }).admin();
      await admin.connect();
      try {
        const topics = (await admin.listTopics()).filter((t) => t.startsWith(`${id}.`));
        if (topics.length > 0) await admin.deleteTopics({ topics, timeout: 10_000 });
        const groups = (await admin.listGroups()).groups.map((g) => g.groupId).filter((g) => g.startsWith(`${id}.`));
        if (groups.length > 0) await admin.deleteGroups(groups).catch(() => undefined);
      } finally {
        await admin.disconnect();
      }
    },
  };
  for (const [name, step] of Object.entries(steps)) {
    try {
      await step();
    } catch (error) {
      log(`could not clean up ${name}: ${error instanceof Error ? error.message : String(error)}`);
    }
  }
}

async function distributed() {
  const missing = ['MREG_KAFKA_BROKERS', 'MREG_MONGO_URL', 'MREG_S3_ENDPOINT', 'MREG_POSTGRES_URL'].filter((k) => !process.env[k]);
  if (missing.length > 0) return { skipped: `${missing.join(', ')} not set (source the servers' env, e.g. tools/infra/all.sh start)` };
  await build(SERVICES);
  const id = `recovery${Date.now().toString(36)}`;
  const workDir = fs.mkdtempSync(path.join(os.tmpdir(), 'mreg-recovery-'));
  const envFor = serviceEnv(id, workDir);
  /** @type {Process[]} */
  const procs = [];
  try {
    for (const service of SERVICES) {
      const proc = new Process(service, envFor(service, await freePort()), path.join(workDir, `${service}.log`));
      procs.push(proc);
      const first = await proc.start();
      log(`${service} first start: /health ${first.healthMs} ms, /ready ${first.readyMs} ms`);
    }
    // Some history in the log and the groups (committed offsets), as in a registry that has been running.
    const registration = procs[0];
    for (let m = 0; m < 3; m++) {
      const created = await request(registration.base, TOKEN, 'POST', '/api/v1/models', { name: `recovery-${m}` }, 30_000);
      if (created.status !== 201) throw new Error(`creating a model: ${created.status} ${JSON.stringify(created.json)}`);
    }
    /** @type {Record<string, unknown>} */
    const services = {};
    for (const proc of procs) services[proc.name] = await restarts(proc);
    const result = { services };
    fs.rmSync(workDir, { recursive: true, force: true });
    return result;
  } finally {
    // The logs stay when the run failed.
    await Promise.all(procs.map((p) => p.stop('SIGTERM')));
    await cleanUp(id);
  }
}

async function main() {
  const loadBefore = loadAverage();
  /** @type {Record<string, unknown>} */
  const topologies = {};
  for (const topology of OPTIONS.topologies) {
    log(`${topology}: ${OPTIONS.reps} SIGKILL restart(s) per process, then one SIGTERM restart`);
    if (topology === 'embedded') topologies.embedded = await embedded();
    else if (topology === 'distributed') topologies.distributed = await distributed();
    else throw new Error(`MREG_BENCH_RECOVERY_TOPOLOGIES: embedded and/or distributed, got "${topology}"`);
  }
  const report = {
    benchmark: 'restart after SIGKILL: ms from the spawn of the new process to the first 200 of /health and /ready',
    machine: { cpus: os.cpus().length, node: process.version, loadAverage: { before: loadBefore, after: loadAverage() } },
    goal: { healthMs: GOAL_HEALTH_MS },
    settings: { reps: OPTIONS.reps, seededVersions: OPTIONS.seed, kafkaSessionTimeoutMs: process.env.MREG_KAFKA_SESSION_TIMEOUT_MS ?? 'default' },
    topologies,
  };
  process.stdout.write(`${JSON.stringify(report, null, 2)}\n`);
}

module.exports = { main };
runIfMain(module, main);
