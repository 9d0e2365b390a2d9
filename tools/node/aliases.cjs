// Resolves the workspace's path aliases for code built into dist/: `require('@mreg/<group>/<lib>')`
// loads dist/libs/<group>/<lib>/src/index.js, following tsconfig.base.json's `paths` (the same map jest and
// tsc use). Preload it: `node -r ./tools/node/aliases.cjs dist/apps/mreg/src/main.js`.
// Plain CommonJS, no dependencies; aliases not in `paths` and every other request resolve as usual.
'use strict';
const fs = require('node:fs');
const Module = require('node:module');
const path = require('node:path');

const ROOT = path.resolve(__dirname, '..', '..');
const DIST = path.join(ROOT, 'dist');

function readTsconfigPaths() {
  const file = path.join(ROOT, 'tsconfig.base.json');
  const text = fs.readFileSync(file, 'utf8');
  let json;
  try {
    json = JSON.parse(text);
  } catch {
    // tsconfig files may carry comments and trailing commas.
    json = JSON.parse(text.replace(/\/\*[\s\S]*?\*\/|(^|[^:"])\/\/.*$/gm, '$1').replace(/,(\s*[}\]])/g, '$1'));
  }
  return (json.compilerOptions && json.compilerOptions.paths) || {};
}

/** `libs/a/b/src/index.ts` -> `<root>/dist/libs/a/b/src/index.js` */
const toDist = (target) => path.join(DIST, target.replace(/\.(c|m)?tsx?$/, '.js'));

const exact = new Map();
const wildcards = [];
for (const [alias, targets] of Object.entries(readTsconfigPaths())) {
  if (!Array.isArray(targets) || targets.length === 0) continue;
  const star = alias.indexOf('*');
  if (star === -1) exact.set(alias, toDist(targets[0]));
  else wildcards.push({ prefix: alias.slice(0, star), suffix: alias.slice(star + 1), target: targets[0] });
}

function aliasTarget(request) {
  const direct = exact.get(request);
  if (direct) return direct;
  for (const { prefix, suffix, target } of wildcards) {
    if (request.startsWith(prefix) && request.endsWith(suffix) && request.length >= prefix.length + suffix.length) {
      const matched = request.slice(prefix.length, request.length - suffix.length);
      return toDist(target.replace('*', matched));
    }
  }
  return undefined;
}

const originalResolveFilename = Module._resolveFilename;
Module._resolveFilename = function resolveWorkspaceAlias(request, parent, isMain, options) {
  const target = typeof request === 'string' && request.startsWith('@') ? aliasTarget(request) : undefined;
  if (target === undefined) return originalResolveFilename.call(this, request, parent, isMain, options);
  // A wildcard target may name a file without extension or a folder.
  const found = [target, `${target}.js`, path.join(target, 'index.js')].find((f) => fs.existsSync(f) && fs.statSync(f).isFile());
  if (found === undefined) {
    const err = new Error(`Cannot find module '${request}' (mapped to ${path.relative(ROOT, target)}): run \`npm run build\` first`);
    err.code = 'MODULE_NOT_FOUND';
    throw err;
  }
  return found;
};

module.exports = { aliasTarget };
