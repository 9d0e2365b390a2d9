// @ts-check
// Container entry point: runs one mreg app from the built tree, chosen by the first argument or MREG_APP
// (default `mreg`, the all-in-one server; also registration-service, governance-service, artifact-service,
// audit-service, gateway): apps/<app>/dist/main.js. Its @mreg/* imports resolve through the workspace packages
// (node_modules/@mreg/<group> -> libs/<group>, whose `exports` point at each lib's dist/); this is the container
// twin of `MREG_APP=<app> npm start`.
'use strict';
const fs = require('node:fs');
const path = require('node:path');

const app = process.argv[2] || process.env.MREG_APP || 'mreg';
const appsDir = path.join(__dirname, '..', 'apps');
const entry = path.join(appsDir, app, 'dist', 'main.js');
if (!/^[a-z0-9][a-z0-9-]*$/.test(app) || !fs.existsSync(entry)) {
  const known = fs.existsSync(appsDir) ? fs.readdirSync(appsDir).filter((a) => fs.existsSync(path.join(appsDir, a, 'dist', 'main.js'))) : [];
  process.stderr.write(`[mreg] no app "${app}" in this image; set MREG_APP to one of: ${known.sort().join(', ')}\n`);
  process.exit(2);
}
// V8's compiled code of the modules is kept on disk (NODE_COMPILE_CACHE, default <tmpdir>/node-compile-cache;
// NODE_DISABLE_COMPILE_CACHE=1 turns it off): a restart loads them faster (decision 31).
require('node:module').enableCompileCache?.();
require(entry);
