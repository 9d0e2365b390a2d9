// @ts-check
// Local Nx plugin (nx.json `plugins`): infers every project's targets from its files, so a new app or lib needs
// only its project.json (name, tags) and a tsconfig.json. Inputs, outputs, caching and dependsOn of each target
// are in nx.json's targetDefaults; this file says which targets a project has and what they run.
//
//   build       apps and libs with a src/, except type:testing libs: swc, src/ -> {projectRoot}/dist (tools/build/swc.cjs)
//   typecheck   projects with a tsconfig.json: tsc --noEmit on that tsconfig
//   lint        projects with TypeScript or JavaScript files: ESLint on its folder
//   test-unit   projects with *.unit.spec.ts files: jest's `unit` project on that folder, no servers
//   test-int    projects with *.int.spec.ts files: jest's `int` project (real servers, libs/testing/infra)
//   test-e2e    projects with *.e2e.spec.ts files: jest's `e2e` project (the apps over HTTP/Kafka)
//   test-conformance  projects with a pytest.ini: the MLflow conformance suite (tools/mlflow/conformance.sh)
//
// Every jest target writes its JSON report to reports/jest/<project>.<tier>.json (a declared output, so a cache
// hit restores it); tools/test.cjs adds the reports up. See docs/decisions/0021.
'use strict';
const fs = require('node:fs');
const path = require('node:path');
const { createNodesFromFiles } = require('@nx/devkit');

const NODE = 'node tools/node/run.cjs';
const TIERS = /** @type {const} */ (['unit', 'int', 'e2e']);

/** Files under a project folder (not its dist/, node_modules or dot folders), relative names only. */
function projectFiles(dir, found = /** @type {string[]} */ ([])) {
  let entries;
  try {
    entries = fs.readdirSync(dir, { withFileTypes: true });
  } catch {
    return found;
  }
  for (const e of entries) {
    if (e.isDirectory()) {
      if (e.name === 'dist' || e.name === 'node_modules' || e.name.startsWith('.') || e.name === '__pycache__') continue;
      projectFiles(path.join(dir, e.name), found);
    } else if (e.isFile()) found.push(e.name);
  }
  return found;
}

/**
 * @param {string} projectJsonPath workspace-relative
 * @param {unknown} _options
 * @param {{ workspaceRoot: string }} context
 * @returns {import('@nx/devkit').CreateNodesResult}
 */
function targetsOf(projectJsonPath, _options, context) {
  const root = path.dirname(projectJsonPath).split(path.sep).join('/');
  const abs = path.join(context.workspaceRoot, root);
  const project = JSON.parse(fs.readFileSync(path.join(abs, 'project.json'), 'utf8'));
  const name = project.name;
  const tags = Array.isArray(project.tags) ? project.tags : [];
  const files = projectFiles(abs);
  /** @type {Record<string, import('@nx/devkit').TargetConfiguration>} */
  const targets = {};
  const run = (/** @type {string} */ command) => ({ executor: 'nx:run-commands', options: { command } });

  if (fs.existsSync(path.join(abs, 'src')) && !tags.includes('type:testing') && files.some((f) => f.endsWith('.ts'))) {
    targets['build'] = run(`${NODE} tools/build/swc.cjs ${root}`);
  }
  if (fs.existsSync(path.join(abs, 'tsconfig.json'))) {
    targets['typecheck'] = run(`${NODE} node_modules/typescript/bin/tsc -p ${root}/tsconfig.json --noEmit`);
  }
  if (files.some((f) => /\.(ts|js|cjs|mjs)$/.test(f))) targets['lint'] = run(`${NODE} node_modules/eslint/bin/eslint.js ${root}`);
  for (const tier of TIERS) {
    if (!files.some((f) => f.endsWith(`.${tier}.spec.ts`))) continue;
    const report = `reports/jest/${name}.${tier}.json`;
    targets[`test-${tier}`] = {
      ...run(`mkdir -p reports/jest && ${NODE} node_modules/jest/bin/jest.js --selectProjects ${tier} --json --outputFile=${report} /${root}/`),
      outputs: [`{workspaceRoot}/${report}`],
    };
  }
  if (files.includes('pytest.ini')) {
    const report = `reports/pytest/${name}.xml`;
    targets['test-conformance'] = { ...run(`bash tools/mlflow/conformance.sh ${report}`), outputs: [`{workspaceRoot}/${report}`] };
  }
  return { projects: { [root]: { targets } } };
}

/** @type {import('@nx/devkit').CreateNodes} */
const createNodes = ['{apps,libs,tools}/**/project.json', (files, options, context) => createNodesFromFiles(targetsOf, files, options, context)];

module.exports = { createNodes, createNodesV2: createNodes };
