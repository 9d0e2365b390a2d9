// @ts-check
// Builds apps (and, through `dependsOn: ["^build"]`, every lib they use) with Nx for the scripts that run the
// build output: `npm start`, replay, openapi, bench, the MLflow conformance targets and the distributed e2e
// topology. Nx's cache makes a repeated build cost its start-up only. Each app's entry is apps/<app>/dist/main.js;
// `@mreg/*` imports resolve through the workspace packages (docs/decisions/0021), so no loader hook is needed.
'use strict';
const { spawn } = require('node:child_process');
const fs = require('node:fs');
const path = require('node:path');

const ROOT = path.resolve(__dirname, '..', '..');
const NX = path.join(ROOT, 'node_modules', 'nx', 'dist', 'bin', 'nx.js');

/** The apps that can start: folders under apps/ with a src/main.ts. */
function startableApps() {
  const appsDir = path.join(ROOT, 'apps');
  if (!fs.existsSync(appsDir)) return [];
  return fs
    .readdirSync(appsDir)
    .filter((name) => fs.existsSync(path.join(appsDir, name, 'src', 'main.ts')))
    .sort();
}

/** @param {string} app @param {string} [file] the built file of apps/<app>/src/<file>.ts */
function appEntry(app, file = 'main') {
  return path.join(ROOT, 'apps', app, 'dist', `${file}.js`);
}

/** The environment for a nested Nx run: without the variables of an Nx task this may run inside. */
function nxEnv() {
  /** @type {NodeJS.ProcessEnv} */
  const env = {};
  for (const [k, v] of Object.entries(process.env)) if (!/^NX_(TASK|TERMINAL|STREAM|CLI_SET|LOAD_DOT_ENV|WORKSPACE_ROOT)/.test(k)) env[k] = v;
  return { ...env, NX_DAEMON: 'false', NX_TUI: 'false' };
}

/**
 * Runs `nx run-many -t build --projects=<apps>`. Nx's output is kept and printed (to stderr) only when the
 * build fails, unless `verbose`. Resolves to { ok, output }.
 * @param {readonly string[]} apps project names (the app folder names)
 * @param {{ verbose?: boolean }} [options]
 * @returns {Promise<{ ok: boolean, output: string }>}
 */
function buildApps(apps, { verbose = false } = {}) {
  return new Promise((resolve) => {
    const args = [NX, 'run-many', '-t', 'build', `--projects=${apps.join(',')}`, '--outputStyle=static', '--skipSync'];
    const child = spawn(process.execPath, args, { cwd: ROOT, env: nxEnv(), stdio: ['ignore', 'pipe', 'pipe'] });
    let output = '';
    const collect = (/** @type {Buffer} */ chunk) => {
      output += chunk.toString();
      if (verbose) process.stderr.write(chunk);
    };
    child.stdout.on('data', collect);
    child.stderr.on('data', collect);
    child.on('error', (err) => resolve({ ok: false, output: `${output}\ncould not run nx: ${err.message}` }));
    child.on('exit', (code, signal) => {
      const ok = code === 0 && !signal;
      if (!ok && !verbose) process.stderr.write(output);
      resolve({ ok, output });
    });
  });
}

module.exports = { ROOT, buildApps, appEntry, startableApps };
