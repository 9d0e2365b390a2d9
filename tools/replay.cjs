#!/usr/bin/env node
// @ts-check
// Rebuilds the read models from the configured log into a fresh database, compares them with the live ones and
// prints a JSON summary (apps/mreg/src/replay-command.ts). Configured like the server, by MREG_* variables:
//   MREG_DATA_DIR=./.mreg-data npm run replay            (embedded: SQLite log and read models)
//   MREG_READ_STORE=mongo MREG_MONGO_URL=... npm run replay -- --drop
// Exit code 0: the live read models equal the replay; 1: they differ; 2: the replay could not run.
'use strict';
const { appEntry, buildApps } = require('./build/nx.cjs');

async function main() {
  const result = await buildApps(['mreg']);
  if (!result.ok) {
    process.stderr.write('[replay] build failed\n');
    process.exit(2);
  }
  require(appEntry('mreg', 'replay'));
}

main().catch((err) => {
  process.stderr.write(`[replay] ${err && err.stack ? err.stack : String(err)}\n`);
  process.exit(2);
});
