import 'reflect-metadata';
import { loadConfig, startService, startTelemetry } from '@mreg/platform/runtime';
import { REGISTRATION_SERVICE } from './service';

async function main(): Promise<void> {
  startTelemetry('registration-service');
  const config = loadConfig();
  const started = await startService(REGISTRATION_SERVICE, config);
  process.stdout.write(`registration-service listening on ${started.url}\n`);
}

main().catch((error: unknown) => {
  process.stderr.write(`registration-service failed to start: ${error instanceof Error ? error.message : String(error)}\n`);
  process.exit(1);
});
