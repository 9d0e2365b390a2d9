#!/usr/bin/env node
// Compiles every app's and lib's sources (the `sourceRoot` of each project.json under apps/ and libs/)
// with swc into dist/, keeping the tree: apps/mreg/src/main.ts -> dist/apps/mreg/src/main.js.
// Type checking is `npm run typecheck`'s job; this only transpiles, so it takes well under a second.
//
// Incremental: a file is recompiled when its source is newer than its output; everything is recompiled
// when .swcrc or the swc version changes. Outputs whose source is gone are removed. Non-TypeScript
// files in a source root (JSON and other assets) are copied.
//
//   node tools/build.cjs [--clean] [--quiet]
// `@mreg/*` imports stay as they are in the output; tools/node/aliases.cjs resolves them at run time.
'use strict';
const crypto = require('node:crypto');
const fs = require('node:fs');
const path = require('node:path');

const ROOT = path.resolve(__dirname, '..');
const DIST = path.join(ROOT, 'dist');
const STAMP = path.join(DIST, '.build-stamp.json');
const PROJECT_DIRS = ['apps', 'libs'];
// Test code and test-only libs are never part of a build.
const EXCLUDED_PROJECT_ROOTS = ['libs/testing/'];
const isTestFile = (file) => /\.spec\.ts$/.test(file) || /(^|\/)__(tests|mocks)__\//.test(file);

function swcOptions() {
  const swcrc = JSON.parse(fs.readFileSync(path.join(ROOT, '.swcrc'), 'utf8'));
  delete swcrc.$schema;
  return { ...swcrc, swcrc: false, configFile: false, inlineSourcesContent: false };
}

/** project.json files under apps/ and libs/ (skipping node_modules and dot folders). */
function findProjectJsons(dir, found = []) {
  let entries;
  try {
    entries = fs.readdirSync(dir, { withFileTypes: true });
  } catch {
    return found;
  }
  for (const e of entries) {
    if (e.isFile() && e.name === 'project.json') found.push(path.join(dir, e.name));
    else if (e.isDirectory() && e.name !== 'node_modules' && !e.name.startsWith('.') && e.name !== 'src') {
      findProjectJsons(path.join(dir, e.name), found);
    }
  }
  return found;
}

/** Source roots (repo-relative, forward slashes) of the projects that are built. */
function sourceRoots() {
  const roots = [];
  for (const top of PROJECT_DIRS) {
    for (const projectJson of findProjectJsons(path.join(ROOT, top))) {
      const projectRoot = path.relative(ROOT, path.dirname(projectJson)).split(path.sep).join('/');
      if (EXCLUDED_PROJECT_ROOTS.some((ex) => `${projectRoot}/`.startsWith(ex))) continue;
      const { sourceRoot } = JSON.parse(fs.readFileSync(projectJson, 'utf8'));
      roots.push(sourceRoot || `${projectRoot}/src`);
    }
  }
  return roots.sort();
}

function walk(dir, files = []) {
  let entries;
  try {
    entries = fs.readdirSync(dir, { withFileTypes: true });
  } catch {
    return files;
  }
  for (const e of entries) {
    const full = path.join(dir, e.name);
    if (e.isDirectory()) walk(full, files);
    else if (e.isFile()) files.push(full);
  }
  return files;
}

function mtimeMs(file) {
  try {
    return fs.statSync(file).mtimeMs;
  } catch {
    return -1;
  }
}

function removeStaleOutputs(expected) {
  let removed = 0;
  for (const top of PROJECT_DIRS) {
    for (const file of walk(path.join(DIST, top))) {
      if (!expected.has(file)) {
        fs.rmSync(file, { force: true });
        removed++;
      }
    }
  }
  return removed;
}

/**
 * Builds into dist/. Resolves to { compiled, copied, total, removed, errors, ms }; compile errors are
 * collected (one per file), not thrown, so a run reports all of them.
 */
async function build({ clean = false } = {}) {
  const started = process.hrtime.bigint();
  const swc = require('@swc/core');
  const options = swcOptions();
  const fingerprint = crypto.createHash('sha256').update(JSON.stringify({ swc: swc.version, options })).digest('hex');

  let stamp = null;
  try {
    stamp = JSON.parse(fs.readFileSync(STAMP, 'utf8'));
  } catch {
    // no previous build
  }
  if (clean || !stamp || stamp.fingerprint !== fingerprint) {
    fs.rmSync(DIST, { recursive: true, force: true });
  }
  fs.mkdirSync(DIST, { recursive: true });

  const jobs = [];
  const expected = new Set();
  let total = 0;
  for (const root of sourceRoots()) {
    for (const src of walk(path.join(ROOT, root))) {
      const rel = path.relative(ROOT, src).split(path.sep).join('/');
      if (isTestFile(rel) || rel.endsWith('.d.ts')) continue;
      const isTs = rel.endsWith('.ts');
      const out = path.join(DIST, isTs ? rel.replace(/\.ts$/, '.js') : rel);
      total++;
      expected.add(out);
      if (isTs) expected.add(`${out}.map`);
      if (mtimeMs(out) >= mtimeMs(src)) continue;
      jobs.push({ src, rel, out, isTs });
    }
  }
  const removed = removeStaleOutputs(expected);

  const errors = [];
  let compiled = 0;
  let copied = 0;
  // swc's async API runs on its own thread pool; a bounded window keeps memory flat on big trees.
  const WINDOW = 32;
  for (let i = 0; i < jobs.length; i += WINDOW) {
    await Promise.all(
      jobs.slice(i, i + WINDOW).map(async ({ src, rel, out, isTs }) => {
        await fs.promises.mkdir(path.dirname(out), { recursive: true });
        if (!isTs) {
          await fs.promises.copyFile(src, out);
          copied++;
          return;
        }
        try {
          const result = await swc.transformFile(src, {
            ...options,
            filename: src,
            sourceFileName: path.relative(path.dirname(out), src).split(path.sep).join('/'),
            outputPath: out,
          });
          const mapName = `${path.basename(out)}.map`;
          await fs.promises.writeFile(out, `${result.code}\n//# sourceMappingURL=${mapName}\n`);
          if (result.map) await fs.promises.writeFile(`${out}.map`, result.map);
          compiled++;
        } catch (err) {
          // A half-built tree must not look up to date next time.
          await fs.promises.rm(out, { force: true });
          errors.push({ file: rel, message: String(err && err.message ? err.message : err) });
        }
      }),
    );
  }

  fs.writeFileSync(STAMP, JSON.stringify({ fingerprint }, null, 2));
  const ms = Number((process.hrtime.bigint() - started) / 1000000n);
  return { compiled, copied, total, removed, errors, ms };
}

async function main() {
  const args = process.argv.slice(2);
  const unknown = args.filter((a) => a !== '--clean' && a !== '--quiet');
  if (unknown.length > 0) {
    process.stderr.write(`usage: node tools/build.cjs [--clean] [--quiet]\nunknown argument(s): ${unknown.join(' ')}\n`);
    process.exit(2);
  }
  const result = await build({ clean: args.includes('--clean') });
  for (const e of result.errors) process.stderr.write(`[build] ${e.file}\n${e.message}\n`);
  if (!args.includes('--quiet') || result.errors.length > 0) {
    process.stderr.write(
      `[build] ${result.total} files: ${result.compiled} compiled, ${result.copied} copied, ${result.removed} removed` +
        `${result.errors.length ? `, ${result.errors.length} failed` : ''} (dist/, ${result.ms} ms)\n`,
    );
  }
  process.exitCode = result.errors.length > 0 ? 1 : 0;
}

module.exports = { build, sourceRoots };

if (require.main === module) {
  main().catch((err) => {
    process.stderr.write(`[build] ${err && err.stack ? err.stack : err}\n`);
    process.exit(1);
  });
}
