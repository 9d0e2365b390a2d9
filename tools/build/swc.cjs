#!/usr/bin/env node
// @ts-check
// The `build` target of every app and lib (tools/nx/plugin.cjs): transpiles one project's `src/` with swc into
// its own `dist/`, keeping the tree (libs/platform/event-store/src/sqlite-event-store.ts ->
// libs/platform/event-store/dist/sqlite-event-store.js). Test files are left out; other files in src/ (JSON
// schemas) are copied. `@mreg/*` imports stay as they are: at run time Node resolves them through the npm
// workspace packages (libs/<group>/package.json `exports`, docs/decisions/0021).
// Type checking is the `typecheck` target's job; incremental builds are Nx's cache (outputs: {projectRoot}/dist).
//
//   node tools/build/swc.cjs <projectRoot>
'use strict';
const fs = require('node:fs');
const path = require('node:path');

const ROOT = path.resolve(__dirname, '..', '..');
/** @param {string} file */
const isTestFile = (file) => /\.spec\.ts$/.test(file) || /(^|\/)__(tests|mocks)__\//.test(file);

/** @returns {import('@swc/core').Options} */
function swcOptions() {
  const swcrc = JSON.parse(fs.readFileSync(path.join(ROOT, '.swcrc'), 'utf8'));
  delete swcrc.$schema;
  return { ...swcrc, swcrc: false, configFile: false, inlineSourcesContent: false };
}

/** @param {string} dir @param {string[]} [files] @returns {string[]} */
function walk(dir, files = []) {
  for (const e of fs.readdirSync(dir, { withFileTypes: true })) {
    const full = path.join(dir, e.name);
    if (e.isDirectory()) walk(full, files);
    else if (e.isFile()) files.push(full);
  }
  return files;
}

/**
 * Builds `<projectRoot>/src` into `<projectRoot>/dist` from scratch. Resolves to { compiled, copied, errors };
 * compile errors are collected (one per file), not thrown, so a run reports all of them.
 * @param {string} projectRoot workspace-relative or absolute
 */
async function buildProject(projectRoot) {
  const swc = require('@swc/core');
  const options = swcOptions();
  const root = path.resolve(ROOT, projectRoot);
  const src = path.join(root, 'src');
  const dist = path.join(root, 'dist');
  fs.rmSync(dist, { recursive: true, force: true });
  /** @type {{ file: string, message: string }[]} */
  const errors = [];
  let compiled = 0;
  let copied = 0;
  const jobs = walk(src).filter((f) => !isTestFile(f) && !f.endsWith('.d.ts'));
  // swc's async API runs on its own thread pool; a bounded window keeps memory flat on big trees.
  const WINDOW = 32;
  for (let i = 0; i < jobs.length; i += WINDOW) {
    await Promise.all(
      jobs.slice(i, i + WINDOW).map(async (file) => {
        const rel = path.relative(src, file);
        const isTs = rel.endsWith('.ts');
        const out = path.join(dist, isTs ? rel.replace(/\.ts$/, '.js') : rel);
        await fs.promises.mkdir(path.dirname(out), { recursive: true });
        if (!isTs) {
          await fs.promises.copyFile(file, out);
          copied++;
          return;
        }
        try {
          const result = await swc.transformFile(file, {
            ...options,
            filename: file,
            sourceFileName: path.relative(path.dirname(out), file).split(path.sep).join('/'),
            outputPath: out,
          });
          const mapName = `${path.basename(out)}.map`;
          await fs.promises.writeFile(out, `${result.code}\n//# sourceMappingURL=${mapName}\n`);
          if (result.map) await fs.promises.writeFile(`${out}.map`, result.map);
          compiled++;
        } catch (err) {
          errors.push({ file: path.relative(ROOT, file), message: String(err instanceof Error ? err.message : err) });
        }
      }),
    );
  }
  if (errors.length > 0) fs.rmSync(dist, { recursive: true, force: true });
  return { compiled, copied, errors };
}

async function main() {
  const [projectRoot, ...rest] = process.argv.slice(2);
  if (!projectRoot || rest.length > 0 || !fs.existsSync(path.resolve(ROOT, projectRoot, 'src'))) {
    process.stderr.write('usage: node tools/build/swc.cjs <projectRoot>   (a folder with a src/)\n');
    process.exit(2);
  }
  const started = Date.now();
  const result = await buildProject(projectRoot);
  for (const e of result.errors) process.stderr.write(`[build] ${e.file}\n${e.message}\n`);
  process.stderr.write(`[build] ${projectRoot}/dist: ${result.compiled} compiled, ${result.copied} copied` + `${result.errors.length ? `, ${result.errors.length} failed` : ''} (${Date.now() - started} ms)\n`);
  process.exitCode = result.errors.length > 0 ? 1 : 0;
}

module.exports = { buildProject };

if (require.main === module) {
  main().catch((err) => {
    process.stderr.write(`[build] ${err instanceof Error && err.stack ? err.stack : err}\n`);
    process.exit(1);
  });
}
