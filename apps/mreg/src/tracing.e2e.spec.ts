import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { InMemorySpanExporter } from '@opentelemetry/sdk-trace';
import type { ReadableSpan } from '@opentelemetry/sdk-trace';
import { AggregationTemporality, InMemoryMetricExporter, PeriodicExportingMetricReader } from '@opentelemetry/sdk-metrics';
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
const metricExporter = new InMemoryMetricExporter(AggregationTemporality.CUMULATIVE);
// Exported on demand (forceFlush) only: the interval is longer than any run.
const metricReader = new PeriodicExportingMetricReader({ exporter: metricExporter, exportIntervalMillis: 3_600_000 });
beforeAll(() => startTelemetry('mreg-test', { spanExporter: exporter, metricReader }));
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
    // Spans name the logical topic: a Kafka namespace is the bus's deployment detail.
    const topic = 'mreg.registration.events.v1';
    const isProjection = (s: ReadableSpan) => s.name === `process ${topic}` && s.attributes['mreg.projection'] === 'model-details';
    const wanted = ['POST /api/v1/models', 'append model', `publish ${topic}`, `process ${topic}`];
    let spans: ReadableSpan[] = [];
    let names: string[] = [];
    for (let i = 0; i < 100; i++) {
      spans = exporter.getFinishedSpans().filter((s) => s.spanContext().traceId === traceId);
      names = spans.map((s) => s.name);
      if (wanted.every((w) => names.includes(w)) && spans.some(isProjection)) break;
      await sleep(20);
    }
    expect(names).toEqual(expect.arrayContaining(wanted));

    // Parent-child links: request → append; request → publish (the relay carries the request's context);
    // publish → process (the consumer is the producer's child, not the request's).
    const one = (name: string, also: (s: ReadableSpan) => boolean = () => true) => {
      const found = spans.find((s) => s.name === name && also(s));
      if (!found) throw new Error(`no span ${name}`);
      return found;
    };
    const parentOf = (s: ReadableSpan) => s.parentSpanContext?.spanId;
    const request = one('POST /api/v1/models');
    const publish = one(`publish ${topic}`, (s) => s.attributes['mreg.event.type'] === 'ModelRegistered');
    const projection = one(`process ${topic}`, (s) => isProjection(s) && s.attributes['mreg.event.type'] === 'ModelRegistered');
    expect(parentOf(request)).toBe('00f067aa0ba902b7');
    expect(parentOf(one('append model'))).toBe(request.spanContext().spanId);
    expect(parentOf(publish)).toBe(request.spanContext().spanId);
    expect(parentOf(projection)).toBe(publish.spanContext().spanId);

    // Semantic-convention attributes.
    expect(request.attributes).toMatchObject({ 'http.request.method': 'POST', 'http.route': '/api/v1/models', 'http.response.status_code': 201 });
    expect(publish.attributes).toMatchObject({ 'messaging.system': 'kafka', 'messaging.destination.name': topic, 'messaging.operation.type': 'publish' });
    expect(projection.attributes).toMatchObject({ 'messaging.system': 'kafka', 'messaging.destination.name': topic, 'messaging.operation.type': 'process' });
  });

  it('names a server span by its route template and marks a failed request', async () => {
    if (!registry) throw new Error('not started');
    const alice = new RegistryClient(castTarget(registry.url)).as('alice');
    const traceId = bus === 'Kafka' ? '5cf92f3577b34da6a3ce929d0e0e4738' : '4bf92f3577b34da6a3ce929d0e0e4739';
    const reply = await alice.request('GET', `/api/v1/models/${uniqueName('missing')}`, { headers: { traceparent: `00-${traceId}-00f067aa0ba902b7-01` } });
    expect(reply.status).toBe(404);
    let span: ReadableSpan | undefined;
    for (let i = 0; i < 100 && !span; i++) {
      span = exporter.getFinishedSpans().find((s) => s.spanContext().traceId === traceId && s.name === 'GET /api/v1/models/{name}');
      if (!span) await sleep(20);
    }
    expect(span?.attributes).toMatchObject({ 'http.route': '/api/v1/models/{name}', 'http.response.status_code': 404 });
  });

  it('measures commands, appends, the relay, the projections, and consistency waits', async () => {
    await metricReader.forceFlush();
    const exported = metricExporter.getMetrics().flatMap((r) => r.scopeMetrics.flatMap((s) => s.metrics));
    const points = (name: string) => exported.filter((m) => m.descriptor.name === name).flatMap((m) => m.dataPoints as { attributes: Record<string, unknown> }[]);
    expect(points('mreg.command.duration').map((p) => p.attributes['mreg.command.type'])).toContain('RegisterModel');
    expect(points('mreg.event_store.append.duration').map((p) => p.attributes['mreg.stream.category'])).toContain('model');
    expect(points('mreg.relay.lag').length).toBeGreaterThan(0);
    expect(points('mreg.projection.lag').map((p) => p.attributes['mreg.projection'])).toContain('model-details');
    expect(points('mreg.consistency.wait.duration').length).toBeGreaterThan(0);
  });
});
