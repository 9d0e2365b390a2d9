import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { InMemorySpanExporter } from '@opentelemetry/sdk-trace';
import { loadConfig, startTelemetry, stopTelemetry } from '@mreg/platform/runtime';
import { RegistryClient, castTarget, castTokensJson, uniqueName } from '@mreg/testing/e2e';
import { serverOrSkip } from '@mreg/testing/infra';
import { startRegistry } from './registry-app';
import type { StartedRegistry } from './registry-app';

// One trace spans HTTP request → event append → relay → bus → projection: the W3C trace context travels in
// event metadata and message headers.
const kafka = serverOrSkip('kafka', 'tracing over Kafka');
const buses: [string, Record<string, string>][] = [['in-process bus', {}]];
if (kafka && kafka !== 'docker') buses.push(['Kafka', { MREG_EVENT_BUS: 'kafka', MREG_KAFKA_BROKERS: kafka, MREG_KAFKA_NAMESPACE: `trace-${process.pid}-${Date.now()}.` }]);

// One SDK per process (the OpenTelemetry API keeps one global provider); each case uses its own trace id.
const exporter = new InMemorySpanExporter();
beforeAll(() => startTelemetry('mreg-test', exporter));
afterAll(() => stopTelemetry());

describe.each(buses)('tracing over %s', (bus, busEnv) => {
  let registry: StartedRegistry | undefined;
  let dataDir = '';

  beforeAll(async () => {
    dataDir = mkdtempSync(join(tmpdir(), 'mreg-trace-'));
    registry = await startRegistry(loadConfig({ ...busEnv, MREG_TOKENS: castTokensJson(), MREG_DATA_DIR: dataDir, PORT: '0', MREG_HOST: '127.0.0.1', MREG_LOG_LEVEL: 'error' }));
  });

  afterAll(async () => {
    await registry?.app.close();
    rmSync(dataDir, { recursive: true, force: true });
  });

  it('puts the request, the append, the relay and the projection in one trace', async () => {
    if (!registry) throw new Error('not started');
    const alice = new RegistryClient(castTarget(registry.url)).as('alice');
    const traceId = bus === 'Kafka' ? '5cf92f3577b34da6a3ce929d0e0e4737' : '4bf92f3577b34da6a3ce929d0e0e4736';
    const reply = await alice.request('POST', '/api/v1/models', {
      json: { name: uniqueName('traced') },
      headers: { traceparent: `00-${traceId}-00f067aa0ba902b7-01` },
    });
    expect(reply.status).toBe(201);
    // The write answered after its projections ran; their spans end right after: poll briefly for them.
    const wanted = ['HTTP POST', 'append model', 'relay ModelRegistered', 'project model-details ModelRegistered'];
    let names: string[] = [];
    for (let i = 0; i < 100; i++) {
      names = exporter.getFinishedSpans().filter((s) => s.spanContext().traceId === traceId).map((s) => s.name);
      if (wanted.every((w) => names.includes(w))) break;
      await sleep(20);
    }
    expect(names).toEqual(expect.arrayContaining(wanted));
  });
});
