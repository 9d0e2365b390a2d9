#!/usr/bin/env node
// `npm test`: every test of the project, then one line with the combined counts.
//
//   1. jest (unit, integration and e2e tiers; arguments after `npm test --` go to jest)
//   2. the MLflow conformance suite (pytest, tools/mlflow/conformance.sh: the official MLflow client against the
//      embedded server and the distributed topology; its venv is created in ~/.cache/mreg on first use)
//
// The last line printed is `N passed, N failed, N skipped`, counted from jest's JSON report and pytest's JUnit
// report (a jest suite that fails to run counts as one failed test, pytest errors count as failed, and a suite
// that did not run at all or ran no test counts as one failure). The exit code is non-zero when either suite
// failed or did not report.
// MREG_CONFORMANCE=0 leaves the Python suite out (said loudly; its tests are then not in the counts).
// MREG_CONFORMANCE_JUNIT sets where the JUnit report goes (default: a temporary folder, removed afterwards).
'use strict';
const { spawn } = require('node:child_process');
const fs = require('node:fs');
const os = require('node:os');
const path = require('node:path');

const ROOT = path.resolve(__dirname, '..');
const work = fs.mkdtempSync(path.join(os.tmpdir(), 'mreg-test-'));

let current = null;
for (const sig of ['SIGINT', 'SIGTERM']) {
  process.on(sig, () => {
    if (current) current.kill(sig);
    fs.rmSync(work, { recursive: true, force: true });
    process.exit(130);
  });
}

function run(cmd, args, env = process.env) {
  return new Promise((resolve) => {
    current = spawn(cmd, args, { cwd: ROOT, stdio: 'inherit', env });
    current.on('error', (e) => {
      process.stderr.write(`[test] could not run ${cmd}: ${e.message}\n`);
      resolve({ code: 127, signal: null });
    });
    current.on('exit', (code, signal) => {
      current = null;
      resolve({ code, signal });
    });
  });
}

/** The value of a jest option given as `--name=value` or `--name value`, or undefined. */
function optionValue(args, name) {
  for (let i = 0; i < args.length; i++) {
    if (args[i] === name) return args[i + 1];
    if (args[i].startsWith(`${name}=`)) return args[i].slice(name.length + 1);
  }
  return undefined;
}

async function runJest(args) {
  let report = optionValue(args, '--outputFile');
  const jestArgs = [...args];
  if (!args.includes('--json')) jestArgs.push('--json');
  if (!report) {
    report = path.join(work, 'jest.json');
    jestArgs.push(`--outputFile=${report}`);
  }
  report = path.resolve(ROOT, report);
  fs.rmSync(report, { force: true });
  const jest = path.join(ROOT, 'node_modules', 'jest', 'bin', 'jest.js');
  const { code, signal } = await run(process.execPath, [...process.execArgv, jest, ...jestArgs]);
  const counts = { passed: 0, failed: 0, skipped: 0 };
  let ok = code === 0 && !signal;
  if (signal) process.stderr.write(`[test] jest was killed by ${signal}\n`);
  let r;
  try {
    r = JSON.parse(fs.readFileSync(report, 'utf8'));
  } catch {
    process.stderr.write('[test] jest wrote no report: the jest tests did not run\n');
    return { ok: false, counts: { ...counts, failed: 1 }, ran: false };
  }
  counts.passed = r.numPassedTests || 0;
  counts.failed = (r.numFailedTests || 0) + (r.numRuntimeErrorTestSuites || 0);
  counts.skipped = (r.numPendingTests || 0) + (r.numTodoTests || 0);
  if (r.numRuntimeErrorTestSuites > 0) process.stderr.write(`[test] ${r.numRuntimeErrorTestSuites} jest test suite(s) failed to run (see above)\n`);
  if (!r.success) ok = false;
  return { ok, counts, ran: true };
}

/** Sums the <testsuite> counts of a JUnit XML report (pytest's xunit2). */
function junitCounts(xml) {
  const counts = { passed: 0, failed: 0, skipped: 0 };
  let suites = 0;
  for (const m of xml.matchAll(/<testsuite\b([^>]*)>/g)) {
    const attr = (name) => Number((new RegExp(`\\b${name}="(\\d+)"`).exec(m[1]) || [])[1] || 0);
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

async function runConformance() {
  const counts = { passed: 0, failed: 0, skipped: 0 };
  if (process.env.MREG_CONFORMANCE === '0') {
    process.stderr.write('\n*** SKIPPED the MLflow conformance suite (pytest): MREG_CONFORMANCE=0; its tests are not counted\n\n');
    return { ok: true, counts, ran: false };
  }
  const junit = path.resolve(ROOT, process.env.MREG_CONFORMANCE_JUNIT || path.join(work, 'mlflow-conformance.xml'));
  process.stderr.write('\n[test] MLflow conformance suite (pytest): tools/mlflow/conformance.sh\n');
  const { code, signal } = await run('bash', [path.join(ROOT, 'tools', 'mlflow', 'conformance.sh'), junit]);
  let xml = '';
  try {
    xml = fs.readFileSync(junit, 'utf8');
  } catch {
    // no report
  }
  const parsed = junitCounts(xml);
  if (!parsed) {
    process.stderr.write('[test] pytest wrote no JUnit report: the MLflow conformance suite did not run\n');
    return { ok: false, counts: { ...counts, failed: 1 }, ran: false };
  }
  if (parsed.passed + parsed.failed + parsed.skipped === 0) {
    process.stderr.write('[test] the MLflow conformance suite ran no test: counted as one failure\n');
    return { ok: false, counts: { ...parsed, failed: 1 }, ran: true };
  }
  const ok = code === 0 && !signal && parsed.failed === 0;
  return { ok, counts: parsed, ran: true };
}

async function main() {
  const jest = await runJest(process.argv.slice(2));
  const py = await runConformance();
  fs.rmSync(work, { recursive: true, force: true });
  const total = {
    passed: jest.counts.passed + py.counts.passed,
    failed: jest.counts.failed + py.counts.failed,
    skipped: jest.counts.skipped + py.counts.skipped,
  };
  const part = (label, r) => `${label}: ${r.ran ? `${r.counts.passed} passed, ${r.counts.failed} failed, ${r.counts.skipped} skipped` : 'did not run'}${r.ok ? '' : ' (FAILED)'}`;
  process.stdout.write(`\n${part('jest', jest)}\n${part('pytest (MLflow conformance)', py)}\n`);
  process.stdout.write(`${total.passed} passed, ${total.failed} failed, ${total.skipped} skipped\n`);
  process.exit(jest.ok && py.ok ? 0 : 1);
}

main();
