// The `mreg` ESLint plugin: the repo's architecture rules. eslint.config.mjs registers it as `mreg/*`.
// Plain CommonJS on purpose: @nx/eslint-plugin also `require`s this folder at load time (its workspace-rules
// convention) and Node resolves a folder to index.js, never index.ts. The rules themselves are TypeScript,
// loaded through Node's built-in type stripping (Node >= 22.18; tools/node/run.cjs provides Node 24).
'use strict';

if (!process.features || !process.features.typescript) {
  throw new Error(`tools/eslint-rules needs a Node.js with built-in TypeScript support (>= 22.18); this is ${process.version}. ` + 'Run ESLint through `npm run lint` (tools/node/run.cjs installs Node 24).');
}

const { RULE_NAME, routeMustDeclareRoles } = require('./route-must-declare-roles.ts');

module.exports = {
  meta: { name: 'mreg' },
  rules: {
    [RULE_NAME]: routeMustDeclareRoles,
  },
};
