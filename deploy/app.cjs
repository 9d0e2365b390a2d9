// Container entry point: runs one mreg app from the built tree, chosen by the first argument or MREG_APP
// (default `mreg`, the all-in-one server; also registration-service, governance-service, artifact-service,
// audit-service, gateway). The image's ENTRYPOINT preloads tools/node/aliases.cjs, which maps the @mreg/*
// imports to dist/libs/*; this is the container twin of `MREG_APP=<app> npm start`.
'use strict';
const fs = require('node:fs');
const path = require('node:path');

const app = process.argv[2] || process.env.MREG_APP || 'mreg';
const distApps = path.join(__dirname, '..', 'dist', 'apps');
const entry = path.join(distApps, app, 'src', 'main.js');
if (!/^[a-z0-9][a-z0-9-]*$/.test(app) || !fs.existsSync(entry)) {
  const known = fs.existsSync(distApps) ? fs.readdirSync(distApps).filter((a) => fs.existsSync(path.join(distApps, a, 'src', 'main.js'))) : [];
  process.stderr.write(`[mreg] no app "${app}" in this image; set MREG_APP to one of: ${known.sort().join(', ')}\n`);
  process.exit(2);
}
require(entry);
