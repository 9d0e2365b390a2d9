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
  const stdout = execFileSync(
    process.execPath,
    ['--disable-warning=ExperimentalWarning', '--input-type=module', '-e', LINT_TEXTS, ROOT],
    { cwd: ROOT, input: JSON.stringify(cases), encoding: 'utf8', maxBuffer: 16 * 1024 * 1024 },
  );
  return JSON.parse(stdout) as LintMessage[][];
}

const cases = {
  frameworkInDomain: {
    filePath: 'libs/registration/domain/src/lint-probe.ts',
    code: `import { Injectable } from '@nestjs/common';\n\nexport const decorate = Injectable;\n`,
  },
  fsInDomain: {
    filePath: 'libs/governance/domain/src/lint-probe.ts',
    code: `import { readFileSync } from 'node:fs';\n\nexport const read = readFileSync;\n`,
  },
  platformInDomain: {
    filePath: 'libs/artifact/domain/src/lint-probe.ts',
    code: `import * as eventStore from '@mreg/platform/event-store';\n\nexport const port = eventStore;\n`,
  },
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
  otherContextInFeature: {
    filePath: 'libs/registration/feature/src/lint-probe.ts',
    code: `import * as governance from '@mreg/governance/domain';\n\nexport const other = governance;\n`,
  },
  otherFeatureInFeature: {
    filePath: 'libs/audit/feature/src/lint-probe.ts',
    code: `import * as registration from '@mreg/registration/feature';\n\nexport const other = registration;\n`,
  },
  publicReadInOtherFeatures: {
    filePath: 'libs/governance/feature/src/lint-probe.ts',
    code: `import { ModelLookup } from '@mreg/registration/catalog';\n\nexport const lookup = ModelLookup;\n`,
  },
  publicReadInArtifactFeature: {
    filePath: 'libs/artifact/feature/src/lint-probe.ts',
    code: `import { ModelLookup } from '@mreg/registration/catalog';\n\nexport const lookup = ModelLookup;\n`,
  },
  publicReadInAuditFeature: {
    filePath: 'libs/audit/feature/src/lint-probe.ts',
    code: `import { ModelLookup } from '@mreg/registration/catalog';\n\nexport const lookup = ModelLookup;\n`,
  },
  registrationFeatureInGovernance: {
    filePath: 'libs/governance/feature/src/lint-probe.ts',
    code: `import * as registration from '@mreg/registration/feature';\n\nexport const other = registration;\n`,
  },
  registrationFeatureInArtifact: {
    filePath: 'libs/artifact/feature/src/lint-probe.ts',
    code: `import * as registration from '@mreg/registration/feature';\n\nexport const other = registration;\n`,
  },
  featureInPublicRead: {
    filePath: 'libs/registration/catalog/src/lint-probe.ts',
    code: `import * as registration from '@mreg/registration/feature';\n\nexport const feature = registration;\n`,
  },
  otherFeatureInPublicRead: {
    filePath: 'libs/registration/catalog/src/lint-probe.ts',
    code: `import * as tracking from '@mreg/tracking/feature';\n\nexport const feature = tracking;\n`,
  },
  adapterInPublicRead: {
    filePath: 'libs/registration/catalog/src/lint-probe.ts',
    code: `import { SqliteEventStore } from '@mreg/platform/event-store/sqlite';\n\nexport const adapter = SqliteEventStore;\n`,
  },
  publicReadUsesItsDomainAndPorts: {
    filePath: 'libs/registration/catalog/src/lint-probe.ts',
    code: [
      `import * as contracts from '@mreg/shared/contracts';`,
      `import * as domain from '@mreg/registration/domain';`,
      `import * as eventStore from '@mreg/platform/event-store';`,
      ``,
      `export const used = [contracts, domain, eventStore];`,
      ``,
    ].join('\n'),
  },
  publicReadInDomain: {
    filePath: 'libs/governance/domain/src/lint-probe.ts',
    code: `import * as catalog from '@mreg/registration/catalog';\n\nexport const lookup = catalog;\n`,
  },
  mlflowDoorInFeature: {
    filePath: 'libs/registration/feature/src/lint-probe.ts',
    code: `import * as door from '@mreg/mlflow/feature';\n\nexport const mlflow = door;\n`,
  },
  mlflowDoorOverContexts: {
    filePath: 'libs/mlflow/feature/src/lint-probe.ts',
    code: `import * as registration from '@mreg/registration/feature';\nimport * as governance from '@mreg/governance/feature';\n\nexport const used = [registration, governance];\n`,
  },
  serviceHostsOtherContext: {
    filePath: 'apps/registration-service/src/lint-probe.ts',
    code: `import * as governance from '@mreg/governance/feature';\nimport * as door from '@mreg/mlflow/feature';\n\nexport const used = [governance, door];\n`,
  },
  adapterInFeature: {
    filePath: 'libs/artifact/feature/src/lint-probe.ts',
    code: `import { S3ArtifactStorage } from '@mreg/platform/artifact-storage/s3';\n\nexport const adapter = S3ArtifactStorage;\n`,
  },
  adapterInFeatureSpec: {
    filePath: 'libs/artifact/feature/src/lint-probe.int.spec.ts',
    code: `import { FsArtifactStorage } from '@mreg/platform/artifact-storage/fs';\n\nexport const adapter = FsArtifactStorage;\n`,
  },
  adapterInRuntime: {
    filePath: 'libs/platform/runtime/src/lint-probe.ts',
    code: `import { S3ArtifactStorage } from '@mreg/platform/artifact-storage/s3';\n\nexport const adapter = S3ArtifactStorage;\n`,
  },
  deepImport: {
    filePath: 'libs/registration/feature/src/lint-probe.ts',
    code: `import { TOPICS } from '@mreg/shared/contracts/src/topics';\n\nexport const topics = TOPICS;\n`,
  },
  testingInDomainSpec: {
    filePath: 'libs/registration/domain/src/lint-probe.unit.spec.ts',
    code: `import * as testing from '@mreg/testing/contracts';\n\nexport const helpers = testing;\n`,
  },
  testingInDomainSource: {
    filePath: 'libs/registration/domain/src/lint-probe.ts',
    code: `import * as testing from '@mreg/testing/contracts';\n\nexport const helpers = testing;\n`,
  },
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

  it('parses every probe (no fatal errors)', () => {
    for (const [name, messages] of Object.entries(results)) {
      expect({ name, fatal: messages.filter((m) => m.fatal) }).toEqual({ name, fatal: [] });
    }
  });

  it('rejects a framework import in a domain lib', () => {
    expect(results.frameworkInDomain).toContainEqual(
      expect.objectContaining({ ruleId: 'no-restricted-imports', message: expect.stringContaining('@nestjs/common') as unknown }),
    );
  });

  it('rejects file-system access in a domain lib', () => {
    expect(rulesIn('fsInDomain')).toContain('no-restricted-imports');
  });

  it('rejects a platform (type:infra) import in a domain lib through the Nx tags', () => {
    expect(rulesIn('platformInDomain')).toContain('@nx/enforce-module-boundaries');
    expect(rulesIn('platformInDomain')).toContain('no-restricted-imports');
  });

  it('rejects reading the clock in a domain lib', () => {
    expect(rulesIn('clockInDomain')).toContain('no-restricted-syntax');
  });

  it('allows a feature lib to use Nest, contracts, its own domain and the platform', () => {
    const boundaryErrors = results.frameworkInFeature.filter(
      (m) => m.ruleId === '@nx/enforce-module-boundaries' || m.ruleId === 'no-restricted-imports',
    );
    expect(boundaryErrors).toEqual([]);
  });

  it("rejects importing another context's lib (contexts meet only through contracts)", () => {
    expect(rulesIn('otherContextInFeature')).toContain('@nx/enforce-module-boundaries');
  });

  it("rejects a feature lib using another context's feature lib, audit included", () => {
    expect(results.otherFeatureInFeature).toContainEqual(
      expect.objectContaining({ ruleId: 'no-restricted-imports', message: expect.stringContaining('@mreg/registration/feature') as unknown }),
    );
  });

  it("lets governance, artifact and audit features use registration's public read (its catalog lib)", () => {
    for (const name of ['publicReadInOtherFeatures', 'publicReadInArtifactFeature', 'publicReadInAuditFeature'] as const) {
      const boundary = results[name].filter((m) => m.ruleId === '@nx/enforce-module-boundaries' || m.ruleId === 'no-restricted-imports');
      expect({ name, boundary }).toEqual({ name, boundary: [] });
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
    expect(results.featureInPublicRead).toContainEqual(
      expect.objectContaining({ ruleId: 'no-restricted-imports', message: expect.stringContaining('never a feature lib') as unknown }),
    );
    expect(rulesIn('featureInPublicRead')).toContain('@nx/enforce-module-boundaries');
    // A feature lib that does not use the catalog (so no cycle is reported first): refused by the type tags too.
    expect(results.otherFeatureInPublicRead).toContainEqual(
      expect.objectContaining({ ruleId: '@nx/enforce-module-boundaries', message: expect.stringContaining('type:public-read') as unknown }),
    );
    expect(rulesIn('otherFeatureInPublicRead')).toContain('no-restricted-imports');
    expect(results.adapterInPublicRead).toContainEqual(
      expect.objectContaining({ ruleId: 'no-restricted-imports', message: expect.stringContaining('the runtime picks the adapter') as unknown }),
    );
    const boundary = results.publicReadUsesItsDomainAndPorts.filter((m) => m.ruleId === '@nx/enforce-module-boundaries' || m.ruleId === 'no-restricted-imports');
    expect(boundary).toEqual([]);
  });

  it("keeps another context's public read out of domain libs", () => {
    expect(rulesIn('publicReadInDomain')).toContain('@nx/enforce-module-boundaries');
  });

  it('lets the MLflow door use every context, and no context use the door', () => {
    expect(rulesIn('mlflowDoorOverContexts')).not.toContain('@nx/enforce-module-boundaries');
    expect(rulesIn('mlflowDoorInFeature')).toContain('@nx/enforce-module-boundaries');
  });

  it('lets a service app compose its own contexts and the MLflow door, not another context', () => {
    const boundary = results.serviceHostsOtherContext.filter((m) => m.ruleId === '@nx/enforce-module-boundaries');
    expect(boundary.map((m) => m.message)).toEqual([expect.stringContaining('scope:registration-service')]);
  });

  it('keeps adapters out of feature libs: they use the port, the runtime (and tests) pick the adapter', () => {
    expect(results.adapterInFeature).toContainEqual(
      expect.objectContaining({ ruleId: 'no-restricted-imports', message: expect.stringContaining('the runtime picks the adapter') as unknown }),
    );
    expect(rulesIn('adapterInFeatureSpec')).not.toContain('no-restricted-imports');
    expect(rulesIn('adapterInRuntime')).not.toContain('no-restricted-imports');
  });

  it('rejects deep imports into another lib', () => {
    expect(rulesIn('deepImport')).toContain('no-restricted-imports');
  });

  it('lets tests, and only tests, use the testing libs', () => {
    expect(rulesIn('testingInDomainSpec')).not.toContain('@nx/enforce-module-boundaries');
    expect(rulesIn('testingInDomainSource')).toContain('@nx/enforce-module-boundaries');
  });

  it('requires @Roles or @Public on routes in feature libs', () => {
    expect(rulesIn('unguardedRoute')).toContain('mreg/route-must-declare-roles');
  });
});
