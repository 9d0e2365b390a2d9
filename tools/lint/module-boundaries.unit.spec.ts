// The architecture rules of eslint.config.mjs, checked through ESLint's Node API on made-up files placed
// inside real libs (lintText with a filePath: nothing is written to disk). typescript-eslint's project
// service only knows files on disk, so the type-aware rules are switched off for these probes; the rules
// under test here need no type information.
//
// ESLint loads eslint.config.mjs with a dynamic import(), which jest's module sandbox refuses without
// --experimental-vm-modules, so the linting runs in a child Node process, all cases in one go.
import { execFileSync } from 'node:child_process';
import { join } from 'node:path';

interface LintCase {
  readonly filePath: string;
  readonly code: string;
}

interface LintMessage {
  readonly ruleId: string | null;
  readonly message: string;
  readonly fatal?: boolean;
}

const ROOT = join(__dirname, '..', '..');

const LINT_TEXTS = `
import { ESLint } from 'eslint';
import tseslint from 'typescript-eslint';
let input = '';
for await (const chunk of process.stdin) input += chunk;
const eslint = new ESLint({ cwd: process.argv[1], overrideConfig: [tseslint.configs.disableTypeChecked] });
const out = [];
for (const c of JSON.parse(input)) {
  const [result] = await eslint.lintText(c.code, { filePath: c.filePath });
  out.push(result.messages.map(({ ruleId, message, fatal }) => ({ ruleId, message, fatal })));
}
process.stdout.write(JSON.stringify(out));
`;

function lintAll(cases: readonly LintCase[]): LintMessage[][] {
  const stdout = execFileSync(process.execPath, ['--disable-warning=ExperimentalWarning', '--input-type=module', '-e', LINT_TEXTS, ROOT], { cwd: ROOT, input: JSON.stringify(cases), encoding: 'utf8', maxBuffer: 16 * 1024 * 1024 });
  return JSON.parse(stdout) as LintMessage[][];
}

/** A made-up file at `filePath` that imports (`* as name from '…'` or `{ name } from '…'`) and uses each import. */
function probe(filePath: string, ...imports: string[]): LintCase {
  const names = imports.map((clause) => /^(?:\* as (\w+)|\{ (\w+) \})/.exec(clause)?.slice(1).find(Boolean) ?? '');
  return { filePath, code: [...imports.map((clause) => `import ${clause};`), '', `export const used = [${names.join(', ')}];`, ''].join('\n') };
}

const cases = {
  frameworkInDomain: probe('libs/registration/domain/src/lint-probe.ts', `{ Injectable } from '@nestjs/common'`),
  fsInDomain: probe('libs/governance/domain/src/lint-probe.ts', `{ readFileSync } from 'node:fs'`),
  databaseClientInDomain: probe('libs/governance/domain/src/lint-probe.ts', `{ Pool } from 'pg'`),
  platformInDomain: probe('libs/artifact/domain/src/lint-probe.ts', `* as eventStore from '@mreg/platform/event-store'`),
  clockInDomain: {
    filePath: 'libs/registration/domain/src/lint-probe.ts',
    code: `export const now = (): string => new Date().toISOString();\n`,
  },
  frameworkInFeature: {
    filePath: 'libs/registration/feature/src/lint-probe.ts',
    code: [
      `import { Injectable } from '@nestjs/common';`,
      `import * as contracts from '@mreg/shared/contracts';`,
      `import * as domain from '@mreg/registration/domain';`,
      `import * as eventStore from '@mreg/platform/event-store';`,
      ``,
      `@Injectable()`,
      `export class LintProbe {`,
      `  readonly used = [contracts, domain, eventStore];`,
      `}`,
      ``,
    ].join('\n'),
  },
  otherContextInFeature: probe('libs/registration/feature/src/lint-probe.ts', `* as governance from '@mreg/governance/domain'`),
  otherFeatureInFeature: probe('libs/audit/feature/src/lint-probe.ts', `* as registration from '@mreg/registration/feature'`),
  publicReadInOtherFeatures: probe('libs/governance/feature/src/lint-probe.ts', `{ ModelLookup } from '@mreg/registration/catalog'`),
  publicReadInArtifactFeature: probe('libs/artifact/feature/src/lint-probe.ts', `{ ModelLookup } from '@mreg/registration/catalog'`),
  publicReadInAuditFeature: probe('libs/audit/feature/src/lint-probe.ts', `{ ModelLookup } from '@mreg/registration/catalog'`),
  registrationFeatureInGovernance: probe('libs/governance/feature/src/lint-probe.ts', `* as registration from '@mreg/registration/feature'`),
  registrationFeatureInArtifact: probe('libs/artifact/feature/src/lint-probe.ts', `* as registration from '@mreg/registration/feature'`),
  featureInPublicRead: probe('libs/registration/catalog/src/lint-probe.ts', `* as registration from '@mreg/registration/feature'`),
  otherFeatureInPublicRead: probe('libs/registration/catalog/src/lint-probe.ts', `* as tracking from '@mreg/tracking/feature'`),
  adapterInPublicRead: probe('libs/registration/catalog/src/lint-probe.ts', `{ SqliteEventStore } from '@mreg/platform/event-store/sqlite'`),
  publicReadUsesItsDomainAndPorts: probe('libs/registration/catalog/src/lint-probe.ts', `* as contracts from '@mreg/shared/contracts'`, `* as domain from '@mreg/registration/domain'`, `* as eventStore from '@mreg/platform/event-store'`),
  publicReadInDomain: probe('libs/governance/domain/src/lint-probe.ts', `* as catalog from '@mreg/registration/catalog'`),
  governanceReadInRegistrationFeature: probe('libs/registration/feature/src/lint-probe.ts', `{ PolicyLookup } from '@mreg/governance/catalog'`),
  governanceReadInRegistrationDomain: probe('libs/registration/domain/src/lint-probe.ts', `{ PolicyLookup } from '@mreg/governance/catalog'`),
  governanceFeatureInRegistrationFeature: probe('libs/registration/feature/src/lint-probe.ts', `* as governance from '@mreg/governance/feature'`),
  featureInGovernanceRead: probe('libs/governance/catalog/src/lint-probe.ts', `* as governance from '@mreg/governance/feature'`),
  adapterInGovernanceRead: probe('libs/governance/catalog/src/lint-probe.ts', `{ SqliteEventStore } from '@mreg/platform/event-store/sqlite'`),
  governanceReadUsesItsDomainAndPorts: probe('libs/governance/catalog/src/lint-probe.ts', `* as contracts from '@mreg/shared/contracts'`, `* as domain from '@mreg/governance/domain'`, `* as eventStore from '@mreg/platform/event-store'`),
  mlflowDoorInFeature: probe('libs/registration/feature/src/lint-probe.ts', `* as door from '@mreg/mlflow/feature'`),
  mlflowDoorOverContexts: probe('libs/mlflow/feature/src/lint-probe.ts', `* as registration from '@mreg/registration/feature'`, `* as governance from '@mreg/governance/feature'`),
  serviceHostsOtherContext: probe('apps/registration-service/src/lint-probe.ts', `* as governance from '@mreg/governance/feature'`, `* as door from '@mreg/mlflow/feature'`),
  adapterInFeature: probe('libs/artifact/feature/src/lint-probe.ts', `{ S3ArtifactStorage } from '@mreg/platform/artifact-storage/s3'`),
  postgresAdapterInFeature: probe('libs/registration/feature/src/lint-probe.ts', `{ PostgresEventStore } from '@mreg/platform/event-store/postgres'`),
  adapterInFeatureSpec: probe('libs/artifact/feature/src/lint-probe.int.spec.ts', `{ FsArtifactStorage } from '@mreg/platform/artifact-storage/fs'`),
  adapterInRuntime: probe('libs/platform/runtime/src/lint-probe.ts', `{ S3ArtifactStorage } from '@mreg/platform/artifact-storage/s3'`),
  deepImport: probe('libs/registration/feature/src/lint-probe.ts', `{ TOPICS } from '@mreg/shared/contracts/src/topics'`),
  testingInDomainSpec: probe('libs/registration/domain/src/lint-probe.unit.spec.ts', `* as testing from '@mreg/testing/contracts'`),
  testingInDomainSource: probe('libs/registration/domain/src/lint-probe.ts', `* as testing from '@mreg/testing/contracts'`),
  unguardedRoute: {
    filePath: 'libs/registration/feature/src/lint-probe.controller.ts',
    code: `import { Controller, Get } from '@nestjs/common';\n\n@Controller('probe')\nexport class ProbeController {\n  @Get()\n  list(): string[] {\n    return [];\n  }\n}\n`,
  },
} satisfies Record<string, LintCase>;

type CaseName = keyof typeof cases;

describe('eslint.config.mjs architecture rules', () => {
  let results: Record<CaseName, LintMessage[]>;

  beforeAll(() => {
    const names = Object.keys(cases) as CaseName[];
    const messages = lintAll(names.map((n) => cases[n]));
    results = Object.fromEntries(names.map((n, i) => [n, messages[i] ?? []])) as Record<CaseName, LintMessage[]>;
  }, 120_000);

  const rulesIn = (name: CaseName): (string | null)[] => results[name].map((m) => m.ruleId);
  /** What the module-boundary rules (Nx tags, restricted imports) report for a probe. */
  const boundaryErrors = (name: CaseName): LintMessage[] => results[name].filter((m) => m.ruleId === '@nx/enforce-module-boundaries' || m.ruleId === 'no-restricted-imports');
  const expectReported = (name: CaseName, ruleId: string, text: string): void => {
    expect(results[name]).toContainEqual(expect.objectContaining({ ruleId, message: expect.stringContaining(text) as unknown }));
  };

  it('parses every probe (no fatal errors)', () => {
    for (const [name, messages] of Object.entries(results)) {
      expect({ name, fatal: messages.filter((m) => m.fatal) }).toEqual({ name, fatal: [] });
    }
  });

  it('rejects a framework import in a domain lib', () => {
    expectReported('frameworkInDomain', 'no-restricted-imports', '@nestjs/common');
  });

  it('allows a feature lib to use Nest, contracts, its own domain and the platform', () => {
    expect(boundaryErrors('frameworkInFeature')).toEqual([]);
  });

  it("rejects a feature lib using another context's feature lib, audit included", () => {
    expectReported('otherFeatureInFeature', 'no-restricted-imports', '@mreg/registration/feature');
  });

  it("lets governance, artifact and audit features use registration's public read (its catalog lib)", () => {
    for (const name of ['publicReadInOtherFeatures', 'publicReadInArtifactFeature', 'publicReadInAuditFeature'] as const) {
      expect({ name, boundary: boundaryErrors(name) }).toEqual({ name, boundary: [] });
    }
  });

  it("still rejects registration's feature lib in governance, artifact and audit features", () => {
    for (const name of ['registrationFeatureInGovernance', 'registrationFeatureInArtifact', 'otherFeatureInFeature'] as const) {
      expect({ name, rules: rulesIn(name) }).toEqual({ name, rules: expect.arrayContaining(['no-restricted-imports']) as unknown });
    }
    // Governance and artifact are kept out by the scope tags too; audit replays registration's domain (decision 4).
    expect(rulesIn('registrationFeatureInGovernance')).toContain('@nx/enforce-module-boundaries');
    expect(rulesIn('registrationFeatureInArtifact')).toContain('@nx/enforce-module-boundaries');
  });

  it("keeps the public read lib to its context's domain, contracts and ports: no feature lib, no adapter", () => {
    // Its own context's feature lib: refused by name (and, as that lib uses the catalog, as a cycle by Nx).
    expectReported('featureInPublicRead', 'no-restricted-imports', 'never a feature lib');
    expect(rulesIn('featureInPublicRead')).toContain('@nx/enforce-module-boundaries');
    // A feature lib that does not use the catalog (so no cycle is reported first): refused by the type tags too.
    expectReported('otherFeatureInPublicRead', '@nx/enforce-module-boundaries', 'type:public-read');
    expect(rulesIn('otherFeatureInPublicRead')).toContain('no-restricted-imports');
    expectReported('adapterInPublicRead', 'no-restricted-imports', 'the runtime picks the adapter');
    expect(boundaryErrors('publicReadUsesItsDomainAndPorts')).toEqual([]);
  });

  it("lets registration's aliases consult governance's public read (its catalog lib), and nothing else of governance", () => {
    expect(boundaryErrors('governanceReadInRegistrationFeature')).toEqual([]);
    expect(rulesIn('governanceFeatureInRegistrationFeature')).toEqual(expect.arrayContaining(['no-restricted-imports', '@nx/enforce-module-boundaries']));
    expect(rulesIn('governanceReadInRegistrationDomain')).toContain('@nx/enforce-module-boundaries');
  });

  it("keeps governance's public read to its domain, contracts and ports too", () => {
    expectReported('featureInGovernanceRead', 'no-restricted-imports', 'never a feature lib');
    expectReported('adapterInGovernanceRead', 'no-restricted-imports', 'the runtime picks the adapter');
    expect(boundaryErrors('governanceReadUsesItsDomainAndPorts')).toEqual([]);
  });

  it('lets a service app compose its own contexts and the MLflow door, not another context', () => {
    const boundary = results.serviceHostsOtherContext.filter((m) => m.ruleId === '@nx/enforce-module-boundaries');
    expect(boundary.map((m) => m.message)).toEqual([expect.stringContaining('scope:registration-service')]);
  });

  it('keeps adapters out of feature libs: they use the port, the runtime (and tests) pick the adapter', () => {
    expectReported('adapterInFeature', 'no-restricted-imports', 'the runtime picks the adapter');
    expectReported('postgresAdapterInFeature', 'no-restricted-imports', 'the runtime picks the adapter');
    expect(rulesIn('adapterInFeatureSpec')).not.toContain('no-restricted-imports');
    expect(rulesIn('adapterInRuntime')).not.toContain('no-restricted-imports');
  });

  // Probes that some rules must report and others must not: [what the rules are for, probe, rules].
  it.each<[string, CaseName, { readonly reported?: readonly string[]; readonly notReported?: readonly string[] }]>([
    ['rejects file-system access in a domain lib', 'fsInDomain', { reported: ['no-restricted-imports'] }],
    ['rejects a database client in a domain lib', 'databaseClientInDomain', { reported: ['no-restricted-imports'] }],
    ['rejects a platform (type:infra) import in a domain lib through the Nx tags', 'platformInDomain', { reported: ['@nx/enforce-module-boundaries', 'no-restricted-imports'] }],
    ['rejects reading the clock in a domain lib', 'clockInDomain', { reported: ['no-restricted-syntax'] }],
    ["rejects importing another context's lib (contexts meet only through contracts)", 'otherContextInFeature', { reported: ['@nx/enforce-module-boundaries'] }],
    ["keeps another context's public read out of domain libs", 'publicReadInDomain', { reported: ['@nx/enforce-module-boundaries'] }],
    ['lets the MLflow door use every context, and no context use the door', 'mlflowDoorOverContexts', { notReported: ['@nx/enforce-module-boundaries'] }],
    ['lets the MLflow door use every context, and no context use the door', 'mlflowDoorInFeature', { reported: ['@nx/enforce-module-boundaries'] }],
    ['rejects deep imports into another lib', 'deepImport', { reported: ['no-restricted-imports'] }],
    ['lets tests, and only tests, use the testing libs', 'testingInDomainSpec', { notReported: ['@nx/enforce-module-boundaries'] }],
    ['lets tests, and only tests, use the testing libs', 'testingInDomainSource', { reported: ['@nx/enforce-module-boundaries'] }],
    ['requires @Roles or @Public on routes in feature libs', 'unguardedRoute', { reported: ['mreg/route-must-declare-roles'] }],
  ])('%s (%s)', (_what, name, { reported = [], notReported = [] }) => {
    for (const rule of reported) expect(rulesIn(name)).toContain(rule);
    for (const rule of notReported) expect(rulesIn(name)).not.toContain(rule);
  });
});
