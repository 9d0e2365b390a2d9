import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { loadConfig } from '@mreg/platform/runtime';
import { startRegistry } from '../registry-app';
import type { StartedRegistry } from '../registry-app';

/**
 * A registry for the tests of one describe block: started before them on a scratch folder (its data in `data/`),
 * with `settings` on top of a local port and error-only logs; closed, and the folder deleted, after them.
 */
export function scratchRegistry(prefix: string, settings: Record<string, string>): { registry(): StartedRegistry; dir(): string } {
  let registry: StartedRegistry | undefined;
  let dir = '';
  beforeAll(async () => {
    dir = mkdtempSync(join(tmpdir(), prefix));
    registry = await startRegistry(loadConfig({ MREG_DATA_DIR: join(dir, 'data'), PORT: '0', MREG_HOST: '127.0.0.1', MREG_LOG_LEVEL: 'error', ...settings }));
  });
  afterAll(async () => {
    await registry?.app.close();
    rmSync(dir, { recursive: true, force: true });
  });
  return {
    registry: () => {
      if (!registry) throw new Error('not started');
      return registry;
    },
    dir: () => dir,
  };
}
