import 'reflect-metadata';
import { loadConfig, startService, startTelemetry } from '@mreg/platform/runtime';
import { ARTIFACT_SERVICE } from './service';

async function main(): Promise<void> {
  startTelemetry('artifact-service');
  const config = loadConfig();
  const started = await startService(ARTIFACT_SERVICE, config);
  process.stdout.write(`artifact-service listening on ${started.url}\n`);
}

main().catch((error: unknown) => {
  process.stderr.write(`artifact-service failed to start: ${error instanceof Error ? error.message : String(error)}\n`);
  process.exit(1);
});
