import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { loadConfig } from '@mreg/platform/runtime';
import { WEBHOOK_TEST_ENV, castTarget, castTokensJson, runScenarios } from '@mreg/testing/e2e';
import type { Target } from '@mreg/testing/e2e';
import { startRegistry } from './registry-app';
import type { StartedRegistry } from './registry-app';

// The scenario list against the embedded topology: one process, SQLite log and read models, in-process bus.
let registry: StartedRegistry | undefined;
let dataDir = '';
let target: Target | undefined;

beforeAll(async () => {
  dataDir = mkdtempSync(join(tmpdir(), 'mreg-e2e-'));
  registry = await startRegistry(loadConfig({ ...WEBHOOK_TEST_ENV, MREG_TOKENS: castTokensJson(), MREG_DATA_DIR: dataDir, PORT: '0', MREG_HOST: '127.0.0.1', MREG_LOG_LEVEL: 'error' }));
  target = castTarget(registry.url);
});

afterAll(async () => {
  await registry?.app.close();
  rmSync(dataDir, { recursive: true, force: true });
});

runScenarios(() => {
  if (!target) throw new Error('registry not started');
  return target;
});
