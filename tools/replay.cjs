#!/usr/bin/env node
// Rebuilds the read models from the configured log into a fresh database, compares them with the live ones and
// prints a JSON summary (apps/mreg/src/replay-command.ts). Configured like the server, by MREG_* variables:
//   MREG_DATA_DIR=./.mreg-data npm run replay            (embedded: SQLite log and read models)
//   MREG_READ_STORE=mongo MREG_MONGO_URL=... npm run replay -- --drop
// Exit code 0: the live read models equal the replay; 1: they differ; 2: the replay could not run.
'use strict';
const path = require('node:path');
const { build } = require('./build.cjs');

async function main() {
  const result = await build();
  for (const e of result.errors) process.stderr.write(`[build] ${e.file}\n${e.message}\n`);
  if (result.errors.length > 0) {
    process.stderr.write('[replay] build failed\n');
    process.exit(2);
  }
  require('./node/aliases.cjs');
  require(path.join(__dirname, '..', 'dist', 'apps', 'mreg', 'src', 'replay.js'));
}

main().catch((err) => {
  process.stderr.write(`[replay] ${err && err.stack ? err.stack : String(err)}\n`);
  process.exit(2);
});
