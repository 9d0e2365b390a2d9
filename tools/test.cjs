#!/usr/bin/env node
// @ts-check
// `npm test`: every test of the project through Nx, then one line with the combined counts.
//
//   1. the test servers, once for the whole run: when no MREG_KAFKA_BROKERS / MREG_MONGO_URL / MREG_S3_ENDPOINT /
//      MREG_POSTGRES_URL is set, no Docker engine answers and MREG_START_SERVERS is not 0, tools/infra/all.sh starts
//      Kafka, FerretDB, S3 and PostgreSQL (and stops them at the end if this run started them); otherwise each jest
//      run's global setup (libs/testing/infra) finds them as before
//   2. `nx run-many -t test-unit` (parallel), then `nx run-many -t test-int test-e2e` (one at a time: they share
//      the servers and measure time); arguments after `npm test --` go to every jest run (e.g. `--ci`)
//   3. the MLflow conformance suite: `nx run testing-mlflow-conformance:test-conformance` (pytest,
//      tools/mlflow/conformance.sh: the official MLflow client against the embedded server and the distributed
//      topology; its venv is created in ~/.cache/mreg on first use)
//   4. the OpenAPI contract run: `nx run mreg:test-contract` (schemathesis, tools/schemathesis/run.sh: every check
//      with a fixed seed against the all-in-one server's published document; one test per API operation; its venv
//      is created in ~/.cache/mreg on first use), beside step 3 (its output printed when it ends)
//
// The last line printed is `N passed, N failed, N skipped`, counted from the reports the targets write (declared
// Nx outputs, so a cached target's report counts too): jest's JSON report per project and tier in reports/jest/,
// pytest's JUnit report in reports/pytest/, schemathesis's in reports/schemathesis/. A jest suite that fails to run
// counts as one failed test, JUnit errors count as failed, and a target that wrote no report, ran no test or failed
// without a failure in its report counts as one failure. The exit code is non-zero when any target failed or did
// not report.
// MREG_CONFORMANCE=0 leaves the Python suite out, MREG_CONTRACT=0 the schemathesis run (said loudly; their tests
// are then not in the counts).
// MREG_CONFORMANCE_JUNIT: where to copy pytest's JUnit report as well. MREG_TEST_PARALLEL: Nx's parallelism for
// the unit tier (default 2).
'use strict';
const { spawn, spawnSync, execFileSync } = require('node:child_process');
const fs = require('node:fs');
const os = require('node:os');
const path = require('node:path');

const ROOT = path.resolve(__dirname, '..');
const NX = path.join(ROOT, 'node_modules', 'nx', 'dist', 'bin', 'nx.js');
const REPORTS = path.join(ROOT, 'reports');
const TIERS = ['unit', 'int', 'e2e'];
const CONFORMANCE_PROJECT = 'testing-mlflow-conformance';
const CONTRACT_PROJECT = 'mreg';

/** The children running now (two suites may run side by side). @type {Set<import('node:child_process').ChildProcess>} */
const running = new Set();
let stopServers = false;
for (const sig of /** @type {NodeJS.Signals[]} */ (['SIGINT', 'SIGTERM'])) {
  process.on(sig, () => {
    for (const child of running) child.kill(sig);
    if (stopServers) spawnSync('bash', [path.join(ROOT, 'tools', 'infra', 'all.sh'), 'stop'], { stdio: 'ignore' });
    process.exit(130);
  });
}

/**
 * Runs a command in the workspace. `buffered`: its output is held and printed when it ends, so a suite running
 * beside another does not interleave its lines with that one's.
 * @param {string} cmd @param {string[]} args @param {{ buffered?: boolean }} [options]
 * @returns {Promise<{ code: number | null, signal: NodeJS.Signals | null }>}
 */
function run(cmd, args, options = {}) {
  return new Promise((resolve) => {
    const child = spawn(cmd, args, { cwd: ROOT, stdio: options.buffered ? ['ignore', 'pipe', 'pipe'] : 'inherit', env: process.env });
    running.add(child);
    /** @type {Buffer[]} */
    const held = [];
    child.stdout?.on('data', (chunk) => held.push(chunk));
    child.stderr?.on('data', (chunk) => held.push(chunk));
    child.on('error', (e) => {
      process.stderr.write(`[test] could not run ${cmd}: ${e.message}\n`);
      resolve({ code: 127, signal: null });
    });
    child.on('close', (code, signal) => {
      running.delete(child);
      if (held.length > 0) process.stdout.write(Buffer.concat(held));
      resolve({ code, signal });
    });
  });
}

/** @param {string[]} args @param {{ buffered?: boolean }} [options] */
const nx = (args, options) => run(process.execPath, [...process.execArgv, NX, ...args], options);

/** Projects that have a target, from the project graph. @param {string} target @returns {string[]} */
function projectsWith(target) {
  const out = execFileSync(process.execPath, [NX, 'show', 'projects', '--withTarget', target, '--json'], { cwd: ROOT, encoding: 'utf8' });
  return /** @type {string[]} */ (JSON.parse(out)).sort();
}

/** Parses `export NAME=value` lines (tools/infra/env.sh) into process.env. @param {string} text */
function applyExports(text) {
  for (const line of text.split('\n')) {
    const m = /^export ([A-Z0-9_]+)=(.*)$/.exec(line.trim());
    if (m && m[1] && m[2] !== undefined) process.env[m[1]] = m[2].replace(/^'(.*)'$/, '$1').replace(/^"(.*)"$/, '$1');
  }
}

/** Starts the local test servers once for the whole run when nothing else provides them (see the header). */
function prepareServers() {
  if (process.env.MREG_START_SERVERS === '0') return;
  if (process.env.MREG_KAFKA_BROKERS || process.env.MREG_MONGO_URL || process.env.MREG_S3_ENDPOINT || process.env.MREG_POSTGRES_URL) return;
  if (process.env.MREG_NO_DOCKER !== '1' && spawnSync('docker', ['info', '--format', '{{.ServerVersion}}'], { stdio: 'ignore', timeout: 5000 }).status === 0) return;
  const all = path.join(ROOT, 'tools', 'infra', 'all.sh');
  const wasRunning = spawnSync('bash', [all, 'status'], { stdio: 'ignore' }).status === 0;
  if (!wasRunning) process.stderr.write('[test] starting Kafka, FerretDB, S3 and PostgreSQL once for every test run (tools/infra/all.sh)\n');
  const started = spawnSync('bash', [all, 'start'], { cwd: ROOT, encoding: 'utf8', stdio: ['ignore', 'pipe', 'inherit'], timeout: 20 * 60 * 1000 });
  if (started.status === 0) applyExports(started.stdout);
  else process.stderr.write('[test] not every test server started: the jest global setup will try again and skip what it cannot find\n');
  stopServers = !wasRunning;
}

/** @typedef {{ passed: number, failed: number, skipped: number }} Counts */

/** Adds up jest's JSON reports of the given targets; a missing report is one failure. */
function jestCounts(/** @type {{ project: string, tier: string }[]} */ targets) {
  /** @type {Counts} */
  const counts = { passed: 0, failed: 0, skipped: 0 };
  let ok = true;
  for (const { project, tier } of targets) {
    const file = path.join(REPORTS, 'jest', `${project}.${tier}.json`);
    let r;
    try {
      r = JSON.parse(fs.readFileSync(file, 'utf8'));
    } catch {
      process.stderr.write(`[test] ${project}:test-${tier} wrote no report (${path.relative(ROOT, file)}): its tests did not run\n`);
      counts.failed += 1;
      ok = false;
      continue;
    }
    counts.passed += r.numPassedTests || 0;
    counts.failed += (r.numFailedTests || 0) + (r.numRuntimeErrorTestSuites || 0);
    counts.skipped += (r.numPendingTests || 0) + (r.numTodoTests || 0);
    if (r.numRuntimeErrorTestSuites > 0) process.stderr.write(`[test] ${project}:test-${tier}: ${r.numRuntimeErrorTestSuites} jest test suite(s) failed to run\n`);
    if ((r.numTotalTests || 0) === 0) {
      process.stderr.write(`[test] ${project}:test-${tier} ran no test: counted as one failure\n`);
      counts.failed += 1;
      ok = false;
    }
    if (!r.success) ok = false;
  }
  return { ok, counts };
}

/** Sums the <testsuite> counts of a JUnit XML report (pytest's xunit2, schemathesis's). @param {string} xml @returns {Counts | undefined} */
function junitCounts(xml) {
  const counts = { passed: 0, failed: 0, skipped: 0 };
  let suites = 0;
  for (const m of xml.matchAll(/<testsuite\b([^>]*)>/g)) {
    const attrs = m[1] ?? '';
    const attr = (/** @type {string} */ name) => Number((new RegExp(`\\b${name}="(\\d+)"`).exec(attrs) || [])[1] || 0);
    const tests = attr('tests');
    const failed = attr('failures') + attr('errors');
    const skipped = attr('skipped');
    counts.failed += failed;
    counts.skipped += skipped;
    counts.passed += Math.max(0, tests - failed - skipped);
    suites++;
  }
  return suites > 0 ? counts : undefined;
}

/** Spec files under apps/, libs/ and tools/ (not in dist/ or node_modules), workspace-relative. */
function specFiles(dir = ROOT, found = /** @type {string[]} */ ([])) {
  for (const e of fs.readdirSync(dir, { withFileTypes: true })) {
    const full = path.join(dir, e.name);
    if (e.isDirectory()) {
      if (e.name === 'node_modules' || e.name === 'dist' || e.name.startsWith('.')) continue;
      if (dir === ROOT && !['apps', 'libs', 'tools'].includes(e.name)) continue;
      specFiles(full, found);
    } else if (/\.(unit|int|e2e)\.spec\.ts$/.test(e.name)) found.push(path.relative(ROOT, full).split(path.sep).join('/'));
  }
  return found;
}

/** Spec files no test target runs (a folder without project.json): each counts as a failure, never a silent gap. */
function orphanSpecs(/** @type {{ project: string, tier: string }[]} */ targets) {
  const file = path.join(fs.mkdtempSync(path.join(os.tmpdir(), 'mreg-test-')), 'graph.json');
  execFileSync(process.execPath, [NX, 'graph', `--file=${file}`], { cwd: ROOT, stdio: 'ignore' });
  const { graph } = JSON.parse(fs.readFileSync(file, 'utf8'));
  fs.rmSync(path.dirname(file), { recursive: true, force: true });
  /** @type {Map<string, string>} */
  const roots = new Map(Object.entries(graph.nodes).map(([name, node]) => [name, /** @type {{ data: { root: string } }} */ (node).data.root]));
  const covered = targets.map(({ project, tier }) => ({ root: `${roots.get(project)}/`, tier }));
  return specFiles().filter((file) => {
    const tier = /\.(unit|int|e2e)\.spec\.ts$/.exec(file)?.[1];
    return !covered.some((c) => c.tier === tier && file.startsWith(c.root));
  });
}

/** @param {string[]} jestArgs */
async function runJest(jestArgs) {
  const targets = TIERS.flatMap((tier) => projectsWith(`test-${tier}`).map((project) => ({ project, tier })));
  const orphans = orphanSpecs(targets);
  for (const file of orphans) process.stderr.write(`[test] ${file} belongs to no project with a test target (a folder without project.json?): counted as one failure\n`);
  const parallel = process.env.MREG_TEST_PARALLEL || '2';
  const forwarded = jestArgs.length > 0 ? ['--', ...jestArgs] : [];
  const unit = await nx(['run-many', '-t', 'test-unit', `--parallel=${parallel}`, '--outputStyle=static', '--nxBail=false', ...forwarded]);
  const slow = await nx(['run-many', '-t', 'test-int', 'test-e2e', '--parallel=1', '--outputStyle=static', '--nxBail=false', ...forwarded]);
  for (const r of [unit, slow]) if (r.signal) process.stderr.write(`[test] nx was killed by ${r.signal}\n`);
  const { ok, counts } = jestCounts(targets);
  counts.failed += orphans.length;
  return { ok: ok && orphans.length === 0 && unit.code === 0 && slow.code === 0 && !unit.signal && !slow.signal, counts, ran: true };
}

/**
 * Runs one Nx target that writes a JUnit report and counts it: no report, no test, or a failed target whose
 * report shows no failure each count as one failure.
 * @param {{ label: string, target: string, report: string, skipVar: string, buffered?: boolean }} suite
 */
async function runJunitTarget({ label, target, report, skipVar, buffered }) {
  /** @type {Counts} */
  const counts = { passed: 0, failed: 0, skipped: 0 };
  if (process.env[skipVar] === '0') {
    process.stderr.write(`\n*** SKIPPED ${label}: ${skipVar}=0; its tests are not counted\n\n`);
    return { ok: true, counts, ran: false };
  }
  const junit = path.join(REPORTS, report);
  process.stderr.write(`\n[test] ${label}: nx run ${target}\n`);
  const { code, signal } = await nx(['run', target, '--outputStyle=static'], { buffered });
  let xml = '';
  try {
    xml = fs.readFileSync(junit, 'utf8');
  } catch {
    // no report
  }
  const parsed = junitCounts(xml);
  if (!parsed) {
    process.stderr.write(`[test] ${label} wrote no JUnit report (${path.relative(ROOT, junit)}): it did not run; counted as one failure\n`);
    return { ok: false, counts: { ...counts, failed: 1 }, ran: false, junit };
  }
  if (parsed.passed + parsed.failed + parsed.skipped === 0) {
    process.stderr.write(`[test] ${label} ran no test: counted as one failure\n`);
    return { ok: false, counts: { ...parsed, failed: 1 }, ran: true, junit };
  }
  const ok = code === 0 && !signal && parsed.failed === 0;
  if (!ok && parsed.failed === 0) {
    process.stderr.write(`[test] ${label} failed (${signal ? `killed by ${signal}` : `exit code ${code}`}) with no failure in its report: counted as one failure\n`);
    return { ok, counts: { ...parsed, failed: 1 }, ran: true, junit };
  }
  return { ok, counts: parsed, ran: true, junit };
}

async function runConformance() {
  const result = await runJunitTarget({ label: 'the MLflow conformance suite (pytest)', target: `${CONFORMANCE_PROJECT}:test-conformance`, report: path.join('pytest', `${CONFORMANCE_PROJECT}.xml`), skipVar: 'MREG_CONFORMANCE' });
  if (result.junit && process.env.MREG_CONFORMANCE_JUNIT && fs.existsSync(result.junit)) fs.copyFileSync(result.junit, path.resolve(ROOT, process.env.MREG_CONFORMANCE_JUNIT));
  return result;
}

const runContract = () =>
  runJunitTarget({ label: 'the OpenAPI contract run (schemathesis)', target: `${CONTRACT_PROJECT}:test-contract`, report: path.join('schemathesis', `${CONTRACT_PROJECT}.xml`), skipVar: 'MREG_CONTRACT', buffered: true });

async function main() {
  fs.rmSync(REPORTS, { recursive: true, force: true });
  prepareServers();
  const jest = await runJest(process.argv.slice(2));
  // The contract run (one all-in-one server, no test servers) goes beside the conformance suite; its output is
  // printed when it ends.
  const contracting = runContract();
  const py = await runConformance();
  if (stopServers) spawnSync('bash', [path.join(ROOT, 'tools', 'infra', 'all.sh'), 'stop'], { stdio: 'ignore' });
  const contract = await contracting;
  const parts = /** @type {const} */ ([
    ['jest', jest],
    ['pytest (MLflow conformance)', py],
    ['schemathesis (OpenAPI contract)', contract],
  ]);
  const total = { passed: 0, failed: 0, skipped: 0 };
  for (const [, r] of parts) {
    total.passed += r.counts.passed;
    total.failed += r.counts.failed;
    total.skipped += r.counts.skipped;
  }
  /** @param {string} label @param {{ ran: boolean, ok: boolean, counts: Counts }} r */
  const part = (label, r) => `${label}: ${r.ran ? `${r.counts.passed} passed, ${r.counts.failed} failed, ${r.counts.skipped} skipped` : 'did not run'}${r.ok ? '' : ' (FAILED)'}`;
  process.stdout.write(`\n${parts.map(([label, r]) => part(label, r)).join('\n')}\n`);
  process.stdout.write(`${total.passed} passed, ${total.failed} failed, ${total.skipped} skipped\n`);
  process.exit(parts.every(([, r]) => r.ok) ? 0 : 1);
}

main();
