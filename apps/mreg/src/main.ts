import './telemetry';
import 'reflect-metadata';
import { loadConfig } from '@mreg/platform/runtime';
import { startRegistry } from './registry-app';

async function main(): Promise<void> {
  const config = loadConfig();
  const started = await startRegistry(config);
  const lines = [
    '',
    `mreg is running at ${started.url}`,
    `  console:   ${started.url}/`,
    `  API:       ${started.url}/api/v1`,
    `  API docs:  ${started.url}/api/docs   (OpenAPI: ${started.url}/api/openapi.json)`,
    `  data dir:  ${config.dataDir}`,
  ];
  if (started.adminToken) lines.push(`  admin token: ${started.adminToken}`, '  (set MREG_TOKENS to configure users and roles)');
  process.stdout.write(`${lines.join('\n')}\n\n`);
}

main().catch((error: unknown) => {
  process.stderr.write(`mreg failed to start: ${error instanceof Error ? error.message : String(error)}\n`);
  process.exit(1);
});
