import { readFileSync } from 'node:fs';
import { resolve } from 'node:path';

// The console's API types are generated from docs/api/openapi.json (tools/console-api.cjs, run by `npm run
// openapi`): a change to the API that is not regenerated here fails this test, and then the console's typecheck
// says which calls no longer fit.
describe('the console API client', () => {
  it('apps/console/src/api/schema.ts is what openapi-typescript generates from docs/api/openapi.json', () => {
    // eslint-disable-next-line @typescript-eslint/no-require-imports
    const { generate, TARGET } = require(resolve(__dirname, '../../../../tools/console-api.cjs')) as { generate: () => string; TARGET: string };
    expect(readFileSync(TARGET, 'utf8') === generate()).toBe(true);
  });
});
