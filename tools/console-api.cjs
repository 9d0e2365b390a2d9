#!/usr/bin/env node
// @ts-check
// The web console's typed API client is generated, never written by hand: openapi-typescript turns
// docs/api/openapi.json into apps/console/src/api/schema.ts (the paths and schemas openapi-fetch checks calls
// against). `npm run openapi` runs this after writing the document; `--check` fails when the committed file is
// stale (apps/console/src/api/schema.unit.spec.ts runs the same comparison).
'use strict';
const { execFileSync } = require('node:child_process');
const fs = require('node:fs');
const path = require('node:path');

const ROOT = path.resolve(__dirname, '..');
const SOURCE = path.join(ROOT, 'docs', 'api', 'openapi.json');
const TARGET = path.join(ROOT, 'apps', 'console', 'src', 'api', 'schema.ts');
const CLI = path.join(ROOT, 'node_modules', 'openapi-typescript', 'bin', 'cli.js');

/** The generated TypeScript for the committed OpenAPI document. */
function generate() {
  return execFileSync(process.execPath, [CLI, SOURCE], { cwd: ROOT, encoding: 'utf8', stdio: ['ignore', 'pipe', 'pipe'], maxBuffer: 64 * 1024 * 1024 });
}

function main() {
  const text = generate();
  if (process.argv.includes('--check')) {
    const current = fs.existsSync(TARGET) ? fs.readFileSync(TARGET, 'utf8') : '';
    if (current !== text) {
      process.stderr.write('apps/console/src/api/schema.ts is out of date: run `npm run openapi`\n');
      process.exit(1);
    }
    return;
  }
  fs.writeFileSync(TARGET, text);
  process.stdout.write(`wrote ${path.relative(ROOT, TARGET)}\n`);
}

if (require.main === module) main();

module.exports = { generate, TARGET };
