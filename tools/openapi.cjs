#!/usr/bin/env node
// @ts-check
// Writes the OpenAPI document the registry serves at /api/openapi.json to docs/api/openapi.json
// (`npm run openapi`), then the web console's typed client generated from it (tools/console-api.cjs). `--check`
// fails when either committed file differs (the e2e suite's openapi test and the console's unit test check them).
'use strict';
const fs = require('node:fs');
const os = require('node:os');
const path = require('node:path');
const { appEntry, buildApps } = require('./build/nx.cjs');
const consoleApi = require('./console-api.cjs');

const ROOT = path.resolve(__dirname, '..');
const TARGET = path.join(ROOT, 'docs', 'api', 'openapi.json');

async function main() {
  const result = await buildApps(['mreg']);
  if (!result.ok) throw new Error('build failed');
  require('reflect-metadata');
  const { loadConfig } = require('@mreg/platform/runtime');
  const { createRegistry } = require(appEntry('mreg', 'registry-app'));
  const dataDir = fs.mkdtempSync(path.join(os.tmpdir(), 'mreg-openapi-'));
  const tokens = JSON.stringify({ 'openapi-generator-token': { user: 'openapi', roles: ['reader'] } });
  const { app, openapi } = await createRegistry(loadConfig({ MREG_DATA_DIR: dataDir, MREG_TOKENS: tokens, MREG_LOG_LEVEL: 'error' }));
  await app.close();
  fs.rmSync(dataDir, { recursive: true, force: true });
  const text = `${JSON.stringify(openapi, null, 2)}\n`;
  if (process.argv.includes('--check')) {
    const current = fs.existsSync(TARGET) ? fs.readFileSync(TARGET, 'utf8') : '';
    if (current !== text) {
      process.stderr.write('docs/api/openapi.json is out of date: run `npm run openapi`\n');
      process.exit(1);
    }
    if ((fs.existsSync(consoleApi.TARGET) ? fs.readFileSync(consoleApi.TARGET, 'utf8') : '') !== consoleApi.generate()) {
      process.stderr.write('apps/console/src/api/schema.ts is out of date: run `npm run openapi`\n');
      process.exit(1);
    }
    return;
  }
  fs.mkdirSync(path.dirname(TARGET), { recursive: true });
  fs.writeFileSync(TARGET, text);
  process.stdout.write(`wrote ${path.relative(ROOT, TARGET)}\n`);
  fs.writeFileSync(consoleApi.TARGET, consoleApi.generate());
  process.stdout.write(`wrote ${path.relative(ROOT, consoleApi.TARGET)}\n`);
}

main().catch((error) => {
  process.stderr.write(`${error && error.stack ? error.stack : error}\n`);
  process.exit(1);
});
