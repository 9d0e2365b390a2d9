#!/usr/bin/env node
// Runs a script under Node >= 22 (node:sqlite is built in from there). When the machine's Node is older,
// Node 24 is installed once from the npm registry's `node` package into a cache folder and used instead.
// Written for old Node on purpose: plain CommonJS, no dependencies.
'use strict';
const { spawnSync } = require('node:child_process');
const fs = require('node:fs');
const os = require('node:os');
const path = require('node:path');

const MIN_MAJOR = 22;
const major = Number(process.versions.node.split('.')[0]);

function cacheDir() {
  return process.env.MREG_CACHE_DIR || path.join(os.homedir(), '.cache', 'mreg');
}

function node24Binary() {
  const prefix = path.join(cacheDir(), 'node24');
  const bin = path.join(prefix, 'node_modules', 'node', 'node_modules', `node-${process.platform}-${process.arch}`, 'bin', 'node');
  if (!fs.existsSync(bin)) {
    process.stderr.write(`[mreg] Node ${process.versions.node} is older than ${MIN_MAJOR}; installing Node 24 into ${prefix}\n`);
    fs.mkdirSync(prefix, { recursive: true });
    const npm = process.platform === 'win32' ? 'npm.cmd' : 'npm';
    const r = spawnSync(npm, ['install', '--no-save', '--no-audit', '--no-fund', '--prefix', prefix, 'node@24'], { stdio: 'inherit' });
    if (r.status !== 0 || !fs.existsSync(bin)) {
      process.stderr.write('[mreg] could not install Node 24 from the npm registry\n');
      process.exit(1);
    }
  }
  return bin;
}

const args = process.argv.slice(2);
if (args.length === 0) {
  process.stderr.write('usage: node tools/node/run.cjs <script> [args...]\n');
  process.exit(2);
}
const nodeBin = major >= MIN_MAJOR ? process.execPath : node24Binary();
const env = { ...process.env, PATH: `${path.dirname(nodeBin)}${path.delimiter}${process.env.PATH || ''}` };
const child = require('node:child_process').spawn(nodeBin, ['--disable-warning=ExperimentalWarning', ...args], { stdio: 'inherit', env });
for (const sig of /** @type {NodeJS.Signals[]} */ (['SIGINT', 'SIGTERM'])) process.on(sig, () => child.kill(sig));
child.on('exit', (code, signal) => {
  if (signal) {
    // Re-raise the child's signal on ourselves with default handling, so callers see the same death.
    for (const sig of ['SIGINT', 'SIGTERM']) process.removeAllListeners(sig);
    process.kill(process.pid, signal);
  } else process.exit(code ?? 1);
});
