#!/usr/bin/env node
// @ts-check
// Builds one app with Nx (`nx run-many -t build`: the app and the libs it uses, cached) and starts it from
// apps/<app>/dist/main.js; its `@mreg/*` imports resolve through the workspace packages (docs/decisions/0021):
//   MREG_APP=<app> node tools/start.cjs [app args...]     (`npm start` runs it under Node >= 22)
// MREG_APP names a folder under apps/ (default `mreg`, the all-in-one server; also registration-service,
// governance-service, artifact-service, audit-service, gateway). The app runs in this same Node binary with this
// process's Node flags and environment; SIGINT/SIGTERM/SIGHUP are passed on, and its exit code is ours.
'use strict';
const { spawn } = require('node:child_process');
const fs = require('node:fs');
const path = require('node:path');
const { ROOT, appEntry, buildApps, startableApps } = require('./build/nx.cjs');

/** @type {NodeJS.Signals[]} */
const FORWARDED_SIGNALS = ['SIGINT', 'SIGTERM', 'SIGHUP'];

/** @param {string} message @returns {never} */
function fail(message) {
  process.stderr.write(`[start] ${message}\n`);
  process.exit(1);
}

async function main() {
  const app = process.env.MREG_APP || 'mreg';
  if (!/^[a-z0-9][a-z0-9-]*$/.test(app)) fail(`MREG_APP must be an app folder name under apps/, got "${app}"`);

  const source = path.join(ROOT, 'apps', app, 'src', 'main.ts');
  if (!fs.existsSync(source)) {
    const apps = startableApps();
    fail(`no app "${app}": apps/${app}/src/main.ts does not exist. ` + (apps.length ? `Apps that can start: ${apps.join(', ')} (set MREG_APP).` : 'No app has a src/main.ts yet.'));
  }

  const result = await buildApps([app]);
  if (!result.ok) fail(`build failed (nx run-many -t build --projects=${app}, output above); not starting ${app}`);

  const entry = appEntry(app);
  if (!fs.existsSync(entry)) fail(`build produced no ${path.relative(ROOT, entry)}`);

  const args = [...process.execArgv, '--enable-source-maps', entry, ...process.argv.slice(2)];
  // V8's compiled code of the modules is kept on disk, so a restart loads them faster (decision 31); the
  // standard NODE_COMPILE_CACHE / NODE_DISABLE_COMPILE_CACHE settings win.
  const env = { NODE_COMPILE_CACHE: path.join(ROOT, 'node_modules', '.cache', 'node-compile-cache'), ...process.env };
  const child = spawn(process.execPath, args, { stdio: 'inherit', env });

  const forward = (/** @type {NodeJS.Signals} */ signal) => {
    if (child.exitCode === null && child.signalCode === null) child.kill(signal);
  };
  for (const signal of FORWARDED_SIGNALS) process.on(signal, forward);

  child.on('error', (err) => fail(`could not start ${app}: ${err.message}`));
  child.on('exit', (code, signal) => {
    for (const s of FORWARDED_SIGNALS) process.off(s, forward);
    if (signal) process.kill(process.pid, signal);
    else process.exit(code ?? 1);
  });
}

main().catch((err) => fail(err && err.stack ? err.stack : String(err)));
