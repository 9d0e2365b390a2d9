// The workspace packages (libs/<group>/package.json) that resolve @mreg/* imports at run time are generated from
// tsconfig.base.json's paths; this keeps them, the root workspaces and package-lock.json's links in step with it.
// eslint-disable-next-line @typescript-eslint/no-require-imports -- the generator is a plain CommonJS tool script
const { check, expectedPackages } = require('./packages.cjs') as { check(): string[]; expectedPackages(): Map<string, string> };

describe('workspace packages', () => {
  it('match tsconfig.base.json paths (else: npm run sync:packages, then npm install for a new group)', () => {
    expect(check()).toEqual([]);
  });

  it('export every entry point from its lib’s dist/, with the source as types', () => {
    const platform = JSON.parse(expectedPackages().get('libs/platform') ?? '{}') as { name: string; exports: Record<string, unknown> };
    expect(platform.name).toBe('@mreg/platform');
    expect(platform.exports['./event-store/sqlite']).toEqual({
      types: './event-store/src/sqlite-event-store.ts',
      default: './event-store/dist/sqlite-event-store.js',
    });
  });
});
