#!/usr/bin/env node
// Starts a registry for the MLflow conformance suite and keeps it up until stdin closes or SIGTERM/SIGINT.
//
//   node tools/node/run.cjs tools/mlflow/serve-target.cjs <embedded|distributed>
//
// Builds (Nx, tools/build/nx.cjs), starts the target on free ports with a fresh data dir and tokens for four users,
// and prints ONE JSON line on stdout when it is ready:
//   {"url": "http://127.0.0.1:<port>", "tokens": {"admin": ..., "alice": ..., "bob": ..., "rita": ...}, "logs": <dir>}
// The user of each token is its key (admin: admin, alice: contributor, bob: approver, rita: reader).
// When a target cannot run here (distributed: Kafka, the MongoDB-protocol server or S3 not reachable) it prints
//   {"unavailable": "<reason>"}
// and exits 0; when it should run but does not start, {"error": "<message>"} and exit 1. Everything else
// (build output, server logs' location) goes to stderr.
//
//   embedded     apps/mreg/dist/main.js, the all-in-one server (SQLite, in-process bus, filesystem)
//   distributed  four services + gateway (libs/testing/e2e/src/distributed-topology.ts) on real Kafka,
//                FerretDB and S3: MREG_KAFKA_BROKERS, MREG_MONGO_URL, MREG_S3_* from the environment, else
//                from `tools/infra/env.sh` (running servers), else started with `tools/infra/all.sh start`
//                (unless MREG_START_SERVERS=0) and stopped again on exit.
// The registry starts with the built-in default approval policy unless MREG_DEFAULT_APPROVAL_POLICY is set.
// MREG_CONFORMANCE_KEEP=1 keeps the scratch dir (data and logs) after exit.
'use strict';
const { spawn, execFileSync } = require('node:child_process');
const crypto = require('node:crypto');
const fs = require('node:fs');
const net = require('node:net');
const os = require('node:os');
const path = require('node:path');
const { freePort } = require('../bench/lib.cjs');

const ROOT = path.resolve(__dirname, '..', '..');
const USERS = { admin: ['admin'], alice: ['contributor'], bob: ['approver'], rita: ['reader'] };

// stdout carries exactly one JSON line; anything a required module prints goes to stderr.
const out = process.stdout.write.bind(process.stdout);
console.log = (...args) => console.error(...args);
const log = (msg) => process.stderr.write(`[serve-target] ${msg}\n`);

let announced = false;
function announce(obj) {
  if (announced) return;
  announced = true;
  out(`${JSON.stringify(obj)}\n`);
}

const cleanups = [];
let stopping = false;
async function stop(code = 0) {
  if (stopping) return;
  stopping = true;
  for (const fn of cleanups.reverse()) {
    try {
      await fn();
    } catch (e) {
      log(`cleanup: ${e && e.message ? e.message : e}`);
    }
  }
  process.exit(code);
}
for (const sig of ['SIGTERM', 'SIGINT', 'SIGHUP']) process.on(sig, () => void stop(0));
process.stdin.on('end', () => void stop(0));
process.stdin.on('close', () => void stop(0));
process.stdin.on('error', () => void stop(0));
process.stdin.resume();

function tokens() {
  const t = {};
  for (const user of Object.keys(USERS)) t[user] = `${user}-${crypto.randomBytes(12).toString('hex')}`;
  return t;
}

function tokensJson(t) {
  return JSON.stringify(Object.fromEntries(Object.entries(USERS).map(([user, roles]) => [t[user], { user, roles }])));
}

async function buildDist() {
  const { buildApps } = require(path.join(ROOT, 'tools', 'build', 'nx.cjs'));
  const result = await buildApps(['mreg']);
  if (!result.ok) throw new Error('build failed (nx run-many -t build --projects=mreg, output above)');
}

async function waitHealthy(url, child, what, logFile, timeoutMs = 90_000) {
  const deadline = Date.now() + timeoutMs;
  while (Date.now() < deadline) {
    if (child && (child.exitCode !== null || child.signalCode !== null)) break;
    try {
      // Ready, not just alive: a Kafka service listens before its consumers have joined their groups.
      const res = await fetch(`${url}/ready`);
      if (res.ok) return;
    } catch {
      // not listening yet
    }
    await new Promise((r) => setTimeout(r, 100));
  }
  let tail = '';
  try {
    tail = fs.readFileSync(logFile, 'utf8').split('\n').slice(-30).join('\n');
  } catch {
    // no log
  }
  throw new Error(`${what} did not become healthy at ${url}; log tail:\n${tail}`);
}

async function embedded(workDir, t) {
  await buildDist();
  const port = await freePort();
  const url = `http://127.0.0.1:${port}`;
  const logFile = path.join(workDir, 'mreg.log');
  const logStream = fs.createWriteStream(logFile, { flags: 'a' });
  const entry = path.join(ROOT, 'apps', 'mreg', 'dist', 'main.js');
  const child = spawn(process.execPath, ['--enable-source-maps', entry], {
    env: {
      ...process.env,
      PORT: String(port),
      MREG_HOST: '127.0.0.1',
      MREG_DATA_DIR: path.join(workDir, 'data'),
      MREG_TOKENS: tokensJson(t),
      MREG_LOG_LEVEL: process.env.MREG_LOG_LEVEL || 'warn',
    },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  child.stdout.pipe(logStream);
  child.stderr.pipe(logStream);
  cleanups.push(
    () =>
      /** @type {Promise<void>} */ (
        new Promise((resolve) => {
          if (child.exitCode !== null || child.signalCode !== null) return resolve();
          const timer = setTimeout(() => child.kill('SIGKILL'), 10_000);
          child.once('exit', () => {
            clearTimeout(timer);
            resolve();
          });
          child.kill('SIGTERM');
        })
      ),
  );
  child.once('exit', (code, signal) => {
    if (!stopping) log(`the registry exited (code ${code}, signal ${signal}); log: ${logFile}`);
  });
  await waitHealthy(url, child, 'mreg', logFile);
  return url;
}

function parseExports(text) {
  const env = {};
  for (const line of String(text).split('\n')) {
    const m = /^export ([A-Z0-9_]+)=(.*)$/.exec(line.trim());
    if (m) env[m[1]] = m[2].replace(/^'(.*)'$/, '$1').replace(/^"(.*)"$/, '$1');
  }
  return env;
}

const SERVER_VARS = ['MREG_KAFKA_BROKERS', 'MREG_MONGO_URL', 'MREG_S3_ENDPOINT'];

function reachable(host, port, timeoutMs = 3000) {
  return new Promise((resolve) => {
    const socket = net.connect({ host, port: Number(port) });
    const done = (ok) => {
      socket.destroy();
      resolve(ok);
    };
    socket.setTimeout(timeoutMs, () => done(false));
    socket.once('connect', () => done(true));
    socket.once('error', () => done(false));
  });
}

function hostPortOf(variable, value) {
  if (variable === 'MREG_KAFKA_BROKERS') {
    const [first] = value.split(',');
    const i = first.lastIndexOf(':');
    return { host: first.slice(0, i), port: first.slice(i + 1) };
  }
  const u = new URL(value.replace(/^mongodb(\+srv)?:\/\//, 'http://'));
  return { host: u.hostname, port: u.port || (variable === 'MREG_MONGO_URL' ? '27017' : u.protocol === 'https:' ? '443' : '80') };
}

/** Why the real servers cannot be used, or undefined when all three answer. */
async function serversProblem(env) {
  const problems = [];
  for (const v of SERVER_VARS) {
    if (!env[v]) {
      problems.push(`${v} is not set`);
      continue;
    }
    const { host, port } = hostPortOf(v, env[v]);
    if (!(await reachable(host, port))) problems.push(`${v}=${env[v]} does not answer`);
  }
  return problems.length ? problems.join('; ') : undefined;
}

/** The real servers' environment: given, already running, or started here (stopped again on exit). */
async function resolveServers() {
  let env = { ...process.env };
  if (!(await serversProblem(env))) return { env };
  try {
    env = { ...parseExports(execFileSync('bash', [path.join(ROOT, 'tools', 'infra', 'env.sh')], { encoding: 'utf8', stdio: ['ignore', 'pipe', 'pipe'] })), ...env };
  } catch (e) {
    env = { ...parseExports(e.stdout || ''), ...env };
  }
  let problem = await serversProblem(env);
  if (!problem) return { env };
  if (process.env.MREG_START_SERVERS === '0') return { problem: `${problem} (and MREG_START_SERVERS=0)` };
  log('starting Kafka, FerretDB and S3 with tools/infra/all.sh start (the first time they are installed into the cache)');
  const script = path.join(ROOT, 'tools', 'infra', 'all.sh');
  try {
    const started = execFileSync('bash', [script, 'start'], { encoding: 'utf8', stdio: ['ignore', 'pipe', 'inherit'], timeout: 15 * 60_000 });
    cleanups.push(() => {
      log('stopping the servers started for this run');
      execFileSync('bash', [script, 'stop'], { stdio: 'ignore', timeout: 120_000 });
    });
    env = { ...parseExports(started), ...process.env };
  } catch (e) {
    return { problem: `${problem}; tools/infra/all.sh start failed: ${String(e.message).split('\n')[0]}` };
  }
  problem = await serversProblem(env);
  return problem ? { problem } : { env };
}

/** Compiles the e2e topology helper (test code, not built by Nx) with the workspace's swc settings. */
function loadTopologyModule(workDir) {
  const swc = require(path.join(ROOT, 'node_modules', '@swc', 'core'));
  const swcrc = JSON.parse(fs.readFileSync(path.join(ROOT, '.swcrc'), 'utf8'));
  delete swcrc.$schema;
  const outDir = path.join(workDir, 'e2e');
  fs.mkdirSync(outDir, { recursive: true });
  // The topology module and the modules it imports (relative imports only: the rest comes from node_modules).
  for (const name of ['distributed-topology', 'registry-client', 'webhook-receiver']) {
    const file = path.join(ROOT, 'libs', 'testing', 'e2e', 'src', `${name}.ts`);
    const { code } = swc.transformSync(fs.readFileSync(file, 'utf8'), { ...swcrc, sourceMaps: false, filename: file, swcrc: false, configFile: false });
    fs.writeFileSync(path.join(outDir, `${name}.js`), code);
  }
  return require(path.join(outDir, 'distributed-topology.js'));
}

async function distributed(workDir, t) {
  const servers = await resolveServers();
  if (servers.problem) return { unavailable: `distributed topology needs real Kafka, MongoDB-protocol and S3 servers: ${servers.problem}` };
  const { DistributedTopology } = loadTopologyModule(workDir);
  const topology = new DistributedTopology({
    root: ROOT,
    workDir: path.join(workDir, 'topology'),
    env: servers.env,
    overrides: { MREG_TOKENS: tokensJson(t) },
  });
  cleanups.push(() => topology.stop());
  await topology.start(); // builds the apps first (Nx, cached)
  return { url: topology.target.url };
}

async function main() {
  const target = process.argv[2];
  if (target !== 'embedded' && target !== 'distributed') {
    log('usage: serve-target.cjs <embedded|distributed>');
    announce({ error: `unknown target "${target}"` });
    return stop(2);
  }
  const workDir = fs.mkdtempSync(path.join(os.tmpdir(), `mreg-mlflow-${target}-`));
  if (process.env.MREG_CONFORMANCE_KEEP !== '1') cleanups.unshift(() => fs.rmSync(workDir, { recursive: true, force: true }));
  log(`${target}: scratch dir ${workDir}`);
  const t = tokens();
  try {
    if (target === 'embedded') {
      announce({ url: await embedded(workDir, t), tokens: t, logs: workDir });
    } else {
      const r = await distributed(workDir, t);
      if (r.unavailable) {
        log(`UNAVAILABLE: ${r.unavailable}`);
        announce(r);
        return stop(0);
      }
      announce({ url: r.url, tokens: t, logs: workDir });
    }
    log(`${target} is ready`);
  } catch (e) {
    const message = e && e.message ? e.message : String(e);
    log(`${target} failed to start: ${message}`);
    announce({ error: message });
    return stop(1);
  }
}

main();
