'use strict';
// Helpers of the benchmark scripts and tools/mlflow/serve-target.cjs.
const { spawn } = require('node:child_process');
const fs = require('node:fs');
const net = require('node:net');
const path = require('node:path');
const { setTimeout: sleep } = require('node:timers/promises');

/** An integer setting from the environment (at least `min`), or `fallback` when unset or empty. */
function envInt(name, fallback, min = 1) {
  const raw = process.env[name];
  if (raw === undefined || raw === '') return fallback;
  const n = Number(raw);
  if (!Number.isInteger(n) || n < min) throw new Error(`${name} must be an integer >= ${min}, got "${raw}"`);
  return n;
}

/** A TCP port on 127.0.0.1 that was free a moment ago (the OS picks it). */
function freePort() {
  return new Promise((resolve, reject) => {
    const server = net.createServer();
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const { port } = /** @type {import('node:net').AddressInfo} */ (server.address());
      server.close(() => resolve(port));
    });
  });
}

/** p50/p99/max of a list of milliseconds. */
function percentiles(values) {
  const sorted = [...values].sort((a, b) => a - b);
  const at = (q) => (sorted.length === 0 ? null : Math.round(sorted[Math.min(sorted.length - 1, Math.floor(q * sorted.length))] * 10) / 10);
  return { count: sorted.length, p50Ms: at(0.5), p99Ms: at(0.99), maxMs: sorted.length === 0 ? null : Math.round(sorted[sorted.length - 1] * 10) / 10 };
}

/** One JSON request with a bearer token: its status, time and parsed body (status 0 when it never answered). */
async function request(base, token, method, urlPath, body, timeoutMs) {
  const started = performance.now();
  try {
    const reply = await fetch(`${base}${urlPath}`, {
      method,
      headers: { authorization: `Bearer ${token}`, ...(body === undefined ? {} : { 'content-type': 'application/json' }) },
      ...(body === undefined ? {} : { body: JSON.stringify(body) }),
      signal: AbortSignal.timeout(timeoutMs),
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

/** Starts the built all-in-one registry on a free port with `tokens`, data in `workDir`; resolves once /health answers. */
async function startEmbedded(workDir, tokens, env = {}) {
  const { appEntry } = require('../build/nx.cjs');
  const port = await freePort();
  const logFile = path.join(workDir, 'mreg.log');
  const out = fs.openSync(logFile, 'a');
  const child = spawn(process.execPath, ['--disable-warning=ExperimentalWarning', appEntry('mreg')], {
    env: { ...process.env, PORT: String(port), MREG_HOST: '127.0.0.1', MREG_DATA_DIR: path.join(workDir, 'data'), MREG_TOKENS: JSON.stringify(tokens), MREG_LOG_LEVEL: 'warn', ...env },
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

/**
 * Builds the all-in-one registry, runs `fn(base, pid)` against a fresh one on a scratch data dir (pid: the server
 * process, e.g. to read its CPU time), then stops it.
 */
async function withEmbedded(prefix, tokens, fn) {
  const { buildApps } = require('../build/nx.cjs');
  const built = await buildApps(['mreg']);
  if (!built.ok) throw new Error('build failed (nx run-many -t build, output above)');
  const workDir = fs.mkdtempSync(path.join(require('node:os').tmpdir(), prefix));
  const { child, base } = await startEmbedded(workDir, tokens);
  try {
    return await fn(base, child.pid);
  } finally {
    child.kill('SIGTERM');
    fs.rmSync(workDir, { recursive: true, force: true });
  }
}

/** Runs a bench script's `main` when the file is run directly: errors to stderr, exit code 1. */
function runIfMain(module, main) {
  if (require.main !== module) return;
  main().catch((error) => {
    process.stderr.write(`${error instanceof Error ? (error.stack ?? error.message) : String(error)}\n`);
    process.exit(1);
  });
}

module.exports = { envInt, freePort, percentiles, request, runIfMain, startEmbedded, withEmbedded };
