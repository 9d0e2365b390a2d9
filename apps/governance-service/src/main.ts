import 'reflect-metadata';
import { loadConfig, startService, startTelemetry } from '@mreg/platform/runtime';
import { GOVERNANCE_SERVICE } from './service';

async function main(): Promise<void> {
  startTelemetry('governance-service');
  const config = loadConfig();
  const started = await startService(GOVERNANCE_SERVICE, config);
  process.stdout.write(`governance-service listening on ${started.url}\n`);
}

main().catch((error: unknown) => {
  process.stderr.write(`governance-service failed to start: ${error instanceof Error ? error.message : String(error)}\n`);
  process.exit(1);
});
