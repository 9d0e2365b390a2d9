// ESLint 9 flat config: type-aware typescript-eslint, Nx module boundaries from project.json tags, and the
// repo's own architecture rules (tools/eslint-rules, registered as `mreg/*`). See docs/style.md rules 1, 3, 4, 11.
import js from '@eslint/js';
import { defineConfig } from 'eslint/config';
import nx from '@nx/eslint-plugin';
import { createProjectGraphAsync } from '@nx/devkit';
import tseslint from 'typescript-eslint';
import { readFileSync } from 'node:fs';
import globals from 'globals';
import mreg from './tools/eslint-rules/index.js';

// @nx/enforce-module-boundaries reads the *cached* project graph and silently skips itself when there is none
// (fresh clone, CI, new project.json). Compute it first so every ESLint run (CLI, editor, jest) enforces tags.
await createProjectGraphAsync({ exitOnError: false });

const TYPE_CONSTRAINTS = {
  'type:domain': ['type:domain', 'type:contracts', 'type:util'],
  'type:contracts': ['type:contracts', 'type:util'],
  'type:util': ['type:util', 'type:contracts'],
  'type:infra': ['type:infra', 'type:contracts', 'type:util'],
  'type:data-access': ['type:data-access', 'type:domain', 'type:contracts', 'type:util', 'type:infra'],
  'type:feature': ['type:feature', 'type:public-read', 'type:data-access', 'type:domain', 'type:contracts', 'type:util', 'type:infra'],
  // A context's public read (libs/<context>/catalog): folds its own streams with its deciders, over the
  // event-store port. It never reaches into a feature lib (docs/decisions/0018, 0023).
  'type:public-read': ['type:domain', 'type:contracts', 'type:util', 'type:infra'],
  'type:app': ['*'],
};

// Bounded contexts meet only through scope:shared (contracts), scope:platform (ports and adapters) and another
// context's public read (type:public-read: registration's and governance's catalogs): a lib a context publishes for
// the others.
// Any other lib of another context stays out of reach (docs/decisions/0018).
const CONTEXTS = ['registration', 'governance', 'artifact', 'audit', 'tracking'];
const SCOPE_CONSTRAINTS = {
  ...Object.fromEntries(CONTEXTS.map((c) => [`scope:${c}`, [`scope:${c}`, 'scope:shared', 'scope:platform', 'type:public-read']])),
  // Audit replays every context's streams (history, provenance, point-in-time): it folds their public events
  // with their deciders. Type tags still keep it to their domain libs (docs/decisions/0004).
  'scope:audit': ['scope:audit', 'scope:shared', 'scope:platform', 'type:public-read', 'scope:registration', 'scope:governance', 'scope:artifact'],
  // The MLflow door translates MLflow's REST protocol onto every context's use cases and queries, the way the
  // /api/v1 controllers do inside each context (docs/decisions/0014).
  'scope:mlflow': ['scope:mlflow', 'scope:shared', 'scope:platform', 'scope:registration', 'scope:governance', 'scope:artifact', 'scope:audit', 'scope:tracking'],
  'scope:shared': ['scope:shared', 'scope:platform'],
  // A service app composes the feature modules of the contexts it hosts and the MLflow door's module for them.
  ...Object.fromEntries(
    Object.entries({ registration: ['registration', 'tracking'], governance: ['governance'], artifact: ['artifact'], audit: ['audit'] }).map(([service, hosted]) => [
      `scope:${service}-service`,
      [...hosted.map((c) => `scope:${c}`), 'scope:mlflow', 'scope:shared', 'scope:platform'],
    ]),
  ),
  'scope:platform': ['scope:platform', 'scope:shared'],
  'scope:app': ['*'],
};

/** Tag rules; test files (`*.spec.ts`) may additionally use the type:testing libs (contract suites, fixtures). */
function boundaries({ tests }) {
  const withTesting = (tags) => (tests && !tags.includes('*') ? [...tags, 'type:testing'] : tags);
  const depConstraints = [
    ...Object.entries(TYPE_CONSTRAINTS).map(([sourceTag, tags]) => ({ sourceTag, onlyDependOnLibsWithTags: withTesting(tags) })),
    { sourceTag: 'type:testing', notDependOnLibsWithTags: ['type:app'] },
    ...Object.entries(SCOPE_CONSTRAINTS).map(([sourceTag, tags]) => ({ sourceTag, onlyDependOnLibsWithTags: tags })),
  ];
  return [
    'error',
    {
      enforceBuildableLibDependency: false,
      allowCircularSelfDependency: false,
      checkDynamicDependenciesExceptions: [],
      // Only test code may use a type:testing lib (above), and the suites in them exercise the libs whose specs
      // run them: a cycle through a testing lib is a test's, never the product's.
      ignoredCircularDependencies: [['*', 'tag:type:testing']],
      depConstraints,
    },
  ];
}

// A lib is used through its alias (`@mreg/<group>/<lib>`), never through a path inside it. A lib may declare
// more entry points (a port's adapters: `@mreg/platform/event-store/sqlite`) in tsconfig.base.json's paths.
const ENTRY_POINTS = Object.keys(JSON.parse(readFileSync(new URL('./tsconfig.base.json', import.meta.url), 'utf8')).compilerOptions.paths);
const DEEP_IMPORTS = {
  group: ['@mreg/*/*/**', ...ENTRY_POINTS.filter((alias) => alias.split('/').length > 3).map((alias) => `!${alias}`)],
  message: 'Import another lib through its public alias (@mreg/<group>/<lib>) or a declared entry point, not a path inside it.',
};
// Features use ports; which adapter runs behind a port is the runtime's choice (docs/decisions/0003).
const ADAPTER_IMPORTS = {
  group: ENTRY_POINTS.filter((alias) => alias.startsWith('@mreg/platform/') && alias.split('/').length > 3),
  message: 'A feature lib uses the port, not an adapter: the runtime picks the adapter.',
};

// Domain libs are pure TypeScript: no framework, no adapter, no I/O (docs/style.md rule 1).
const DOMAIN_BANNED = {
  group: ['@nestjs/*', 'mongoose', 'kafkajs', '@kurrent/*', 'pg', '@aws-sdk/*', 'class-validator', 'class-transformer', 'express', '@mreg/platform/*'],
  message: 'Domain libs import no framework and no adapter: keep this in a feature or platform lib.',
};
const DOMAIN_BANNED_PATHS = ['fs', 'node:fs', 'fs/promises', 'node:fs/promises', 'node:sqlite'].map((name) => ({
  name,
  message: 'Domain libs do no I/O: adapters pass data in.',
}));

const ROUTE_LIB_FILES = ['libs/**/feature/**/*.ts', 'apps/**/*.ts'];

export default defineConfig(
  {
    ignores: [
      '**/dist/**',
      '**/node_modules/**',
      '**/.nx/**',
      '**/coverage/**',
      '**/tmp/**',
      '**/.mreg-data/**',
      '**/.cache/**',
      '**/reports/**',
      // Plain JavaScript is linted where we write it: tools/ and the root config files (block below).
      'apps/**/*.{js,cjs,mjs}',
      'libs/**/*.{js,cjs,mjs}',
      'deploy/**/*.{js,mjs}',
      // Generated from docs/api/openapi.json (tools/console-api.cjs).
      'apps/console/src/api/schema.ts',
    ],
  },
  {
    // CommonJS Node scripts: tools/, the deploy launcher, the root config files. Type-checked by tools/tsconfig.json
    // (`// @ts-check`, checkJs) in the tools project's typecheck target.
    files: ['tools/**/*.{js,cjs}', 'deploy/**/*.cjs', '*.{js,cjs}'],
    extends: [js.configs.recommended],
    languageOptions: { sourceType: 'commonjs', ecmaVersion: 2024, globals: { ...globals.node } },
    linterOptions: { reportUnusedDisableDirectives: 'error' },
    rules: {
      'no-unused-vars': ['error', { argsIgnorePattern: '^_', varsIgnorePattern: '^_', caughtErrors: 'none', ignoreRestSiblings: true }],
    },
  },
  {
    files: ['*.mjs'],
    extends: [js.configs.recommended],
    languageOptions: { sourceType: 'module', ecmaVersion: 2024, globals: { ...globals.node } },
  },
  {
    // .tsx: the web console (apps/console, React).
    files: ['**/*.ts', '**/*.tsx'],
    extends: [js.configs.recommended, ...tseslint.configs.recommendedTypeChecked],
    languageOptions: {
      parserOptions: {
        projectService: true,
        tsconfigRootDir: import.meta.dirname,
      },
    },
    linterOptions: { reportUnusedDisableDirectives: 'error' },
    plugins: { '@nx': nx, mreg },
    rules: {
      '@nx/enforce-module-boundaries': boundaries({ tests: false }),
      'no-restricted-imports': ['error', { patterns: [DEEP_IMPORTS] }],
      '@typescript-eslint/no-explicit-any': 'error',
      '@typescript-eslint/no-floating-promises': 'error',
      '@typescript-eslint/consistent-type-imports': ['error', { prefer: 'type-imports', fixStyle: 'separate-type-imports' }],
      '@typescript-eslint/switch-exhaustiveness-check': ['error', { considerDefaultExhaustiveForUnions: false, requireDefaultForNonUnion: false }],
      '@typescript-eslint/no-unused-vars': ['error', { argsIgnorePattern: '^_', varsIgnorePattern: '^_', caughtErrorsIgnorePattern: '^_', ignoreRestSiblings: true }],
      // Adapters implement Promise-returning ports with synchronous code (node:sqlite, in-memory); `async` there is fine.
      '@typescript-eslint/require-await': 'off',
    },
  },
  // A context's feature lib never uses another context's feature lib (docs/decisions/0004): contexts meet through
  // contracts, and the MLflow door (scope:mlflow) is the one lib that composes them.
  ...CONTEXTS.flatMap((context) => {
    const otherFeatures = {
      group: CONTEXTS.filter((other) => other !== context).map((other) => `@mreg/${other}/feature`),
      message: "A context's feature lib does not use another context's feature lib: meet through shared/contracts.",
    };
    const files = `libs/${context}/feature/**/*.ts`;
    return [
      { files: [files], rules: { 'no-restricted-imports': ['error', { patterns: [DEEP_IMPORTS, ADAPTER_IMPORTS, otherFeatures] }] } },
      // Its tests may run it on a real adapter.
      { files: [files.replace(/\.ts$/, '.spec.ts')], rules: { 'no-restricted-imports': ['error', { patterns: [DEEP_IMPORTS, otherFeatures] }] } },
    ];
  }),
  // A context's public read lib (type:public-read) is what the other contexts import from it: it folds its own
  // context's streams over the ports and never uses a feature lib or an adapter (docs/decisions/0018).
  {
    files: ['libs/*/catalog/**/*.ts'],
    ignores: ['**/*.spec.ts'],
    rules: {
      'no-restricted-imports': [
        'error',
        {
          patterns: [DEEP_IMPORTS, ADAPTER_IMPORTS, { group: CONTEXTS.map((c) => `@mreg/${c}/feature`), message: "A context's public read lib uses its domain, contracts and ports, never a feature lib." }],
        },
      ],
    },
  },
  {
    files: ['libs/**/domain/**/*.ts'],
    rules: {
      'no-restricted-imports': ['error', { patterns: [DEEP_IMPORTS, DOMAIN_BANNED], paths: DOMAIN_BANNED_PATHS }],
      // Time and ids come in through metadata (docs/style.md rule 4).
      'no-restricted-syntax': [
        'error',
        {
          selector: "NewExpression[callee.name='Date'][arguments.length=0]",
          message: 'No clock in domain code: take the time from the command or metadata.',
        },
        {
          selector: "CallExpression[callee.object.name='Date'][callee.property.name='now']",
          message: 'No clock in domain code: take the time from the command or metadata.',
        },
        {
          selector: "CallExpression[callee.object.name='Math'][callee.property.name='random']",
          message: 'No randomness in domain code: ids come from the adapter.',
        },
        {
          selector: "CallExpression[callee.property.name='randomUUID']",
          message: 'No random ids in domain code: ids come from the adapter.',
        },
      ],
    },
  },
  {
    files: ROUTE_LIB_FILES,
    rules: {
      'mreg/route-must-declare-roles': 'error',
    },
  },
  {
    // Tests poke at framework objects and HTTP bodies typed `any` by their libraries; `any` written by us is
    // still an error (no-explicit-any stays on).
    files: ['**/*.spec.ts', 'libs/testing/**/*.ts'],
    rules: {
      '@nx/enforce-module-boundaries': boundaries({ tests: true }),
      '@typescript-eslint/unbound-method': 'off',
      '@typescript-eslint/no-unsafe-assignment': 'off',
      '@typescript-eslint/no-unsafe-member-access': 'off',
      '@typescript-eslint/no-unsafe-argument': 'off',
      '@typescript-eslint/no-unsafe-call': 'off',
      '@typescript-eslint/no-unsafe-return': 'off',
    },
  },
);
