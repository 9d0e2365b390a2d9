// Three tiers by file suffix (unit / int / e2e), each a jest project. Nx runs one tier of one project at a time
// (targets test-unit / test-int / test-e2e, tools/nx/plugin.cjs); `jest --selectProjects unit` still runs a whole tier.
const { compilerOptions } = require('./tsconfig.base.json');
const fs = require('node:fs');

const swc = JSON.parse(fs.readFileSync(__dirname + '/.swcrc', 'utf8'));
delete swc.$schema;
swc.sourceMaps = 'inline';

// The web console's components (apps/console, .tsx): the same settings with JSX (React's automatic runtime).
const swcTsx = {
  ...swc,
  jsc: { ...swc.jsc, parser: { ...swc.jsc.parser, tsx: true }, transform: { ...swc.jsc.transform, react: { runtime: 'automatic' } } },
};

const moduleNameMapper = {};
for (const [alias, [target]] of Object.entries(compilerOptions.paths)) {
  moduleNameMapper[`^${alias.replace(/[/]/g, '\\/')}$`] = `<rootDir>/${target}`;
}

const base = {
  rootDir: __dirname,
  testEnvironment: 'node',
  transform: { '^.+\\.ts$': ['@swc/jest', swc], '^.+\\.tsx$': ['@swc/jest', swcTsx] },
  moduleNameMapper,
  roots: ['<rootDir>/apps', '<rootDir>/libs', '<rootDir>/tools'],
  // Build output (each project's dist/, docs/decisions/0021) is not test input.
  modulePathIgnorePatterns: ['<rootDir>/(apps|libs)/.*/dist/'],
  setupFiles: ['reflect-metadata'],
};

// Integration and e2e tiers find (or start) real Kafka, MongoDB-protocol, S3 and PostgreSQL servers once per run.
const servers = {
  globalSetup: '<rootDir>/libs/testing/infra/src/jest-global-setup.ts',
  globalTeardown: '<rootDir>/libs/testing/infra/src/jest-global-teardown.ts',
};

module.exports = {
  projects: [
    { ...base, displayName: 'unit', testMatch: ['**/*.unit.spec.ts'] },
    { ...base, displayName: 'int', testMatch: ['**/*.int.spec.ts'], ...servers },
    { ...base, displayName: 'e2e', testMatch: ['**/*.e2e.spec.ts'], ...servers },
  ],
  testTimeout: 60000,
};
