import 'reflect-metadata';
import { loadConfig, startService, startTelemetry } from '@mreg/platform/runtime';
import { AUDIT_SERVICE } from './service';

async function main(): Promise<void> {
  startTelemetry('audit-service');
  const config = loadConfig();
  const started = await startService(AUDIT_SERVICE, config);
  process.stdout.write(`audit-service listening on ${started.url}\n`);
}

main().catch((error: unknown) => {
  process.stderr.write(`audit-service failed to start: ${error instanceof Error ? error.message : String(error)}\n`);
  process.exit(1);
});
