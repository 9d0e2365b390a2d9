import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { loadConfig } from '@mreg/platform/runtime';
import { createRegistry } from './registry-app';

// docs/api/openapi.json is the generated API reference: it must be exactly what the registry serves
// (`npm run openapi` regenerates it).
describe('API reference', () => {
  it('docs/api/openapi.json matches the OpenAPI document the registry serves', async () => {
    const dataDir = mkdtempSync(join(tmpdir(), 'mreg-openapi-'));
    const tokens = JSON.stringify({ 'openapi-generator-token': { user: 'openapi', roles: ['reader'] } });
    const { app, openapi } = await createRegistry(loadConfig({ MREG_DATA_DIR: dataDir, MREG_TOKENS: tokens, MREG_LOG_LEVEL: 'error' }));
    await app.close();
    rmSync(dataDir, { recursive: true, force: true });
    const committed: unknown = JSON.parse(readFileSync(resolve(__dirname, '../../../docs/api/openapi.json'), 'utf8'));
    expect(JSON.parse(JSON.stringify(openapi))).toEqual(committed);
  });
});
