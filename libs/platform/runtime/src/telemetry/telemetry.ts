import { ServerResponse } from 'node:http';
import type { ClientRequest, IncomingMessage } from 'node:http';
import { createRequire } from 'node:module';
import type { Span } from '@opentelemetry/api';
import { W3CTraceContextPropagator } from '@opentelemetry/core';
import { AwsInstrumentation } from '@opentelemetry/instrumentation-aws-sdk';
import { ExpressInstrumentation, ExpressLayerType } from '@opentelemetry/instrumentation-express';
import { HttpInstrumentation } from '@opentelemetry/instrumentation-http';
import { KafkaJsInstrumentation } from '@opentelemetry/instrumentation-kafkajs';
import { MongoDBInstrumentation } from '@opentelemetry/instrumentation-mongodb';
import type { IMetricReader } from '@opentelemetry/sdk-metrics';
import { NodeSDK } from '@opentelemetry/sdk-node';
import type { SpanExporter } from '@opentelemetry/sdk-trace';
import { SimpleSpanProcessor } from '@opentelemetry/sdk-trace';

let sdk: NodeSDK | undefined;

export interface TelemetryOptions {
  /** Spans go here, one by one, instead of the exporter the environment selects (tests: an in-memory one). */
  readonly spanExporter?: SpanExporter;
  /** Metrics are read here instead of by the reader the environment selects (tests: an in-memory one). */
  readonly metricReader?: IMetricReader;
}

/** Express's route template as OpenTelemetry's `http.route` writes it: `/models/:name` → `/models/{name}`. */
export function routeTemplate(path: string): string {
  return path.replace(/[:*]([A-Za-z0-9_]+)/g, '{$1}');
}

/**
 * The server span of a request is named `<method> <route template>` once Nest's router matched a route (the
 * express instrumentation sets `:name` templates, and only when it loaded before express): set here from the
 * route express recorded on the request, whatever the load order.
 */
function nameServerSpan(span: Span, request: ClientRequest | IncomingMessage, response: IncomingMessage | ServerResponse): void {
  if (!(response instanceof ServerResponse)) return;
  const route = (request as { route?: { path?: unknown } }).route?.path;
  if (typeof route === 'string') {
    const template = routeTemplate(route);
    span.setAttribute('http.route', template);
    span.updateName(`${request.method ?? 'GET'} ${template}`);
  }
}

/** Whether the environment names an exporter: `none` is the default here, not OTLP to localhost. */
function exporterConfigured(signal: 'TRACES' | 'METRICS'): boolean {
  const env = process.env;
  return Boolean(env[`OTEL_${signal}_EXPORTER`] || env['OTEL_EXPORTER_OTLP_ENDPOINT'] || env[`OTEL_EXPORTER_OTLP_${signal}_ENDPOINT`]);
}

/**
 * Modules loaded before the SDK started are patched when they are next required: requiring them again lets a
 * start after the app's imports still trace HTTP, express and Kafka (tests). The mongodb and AWS
 * instrumentations patch internal files, so they apply only when telemetry starts before those clients load:
 * each app's `main.ts` imports its `telemetry.ts` first, which loads this entry point alone
 * (`@mreg/platform/runtime/telemetry`, not the runtime barrel) and starts it (decision 20).
 */
function patchLoadedModules(): void {
  const load = createRequire(__filename);
  for (const name of ['node:http', 'node:https', 'express', 'kafkajs']) {
    try {
      // Only what is loaded already: one not loaded yet is patched when it is first required, and loading it
      // here would cost a process that never uses it (kafkajs in the all-in-one server) its start time.
      if (name.startsWith('node:') || load.cache[load.resolve(name)]) load(name);
    } catch {
      // not installed in this process: nothing to patch
    }
  }
}

/**
 * Starts OpenTelemetry for a service: the standard instrumentations (http, express, kafkajs, mongodb, aws-sdk),
 * W3C trace context, and the exporters the standard variables select (`OTEL_TRACES_EXPORTER`,
 * `OTEL_METRICS_EXPORTER`: `otlp` to `OTEL_EXPORTER_OTLP_ENDPOINT`, `console`, `prometheus`; none when unset).
 */
export function startTelemetry(serviceName: string, options: TelemetryOptions = {}): void {
  if (sdk) return;
  sdk = new NodeSDK({
    serviceName: process.env['OTEL_SERVICE_NAME'] || serviceName,
    textMapPropagator: new W3CTraceContextPropagator(),
    // Left undefined, the SDK selects from the environment; an empty list turns the signal off.
    ...(options.spanExporter ? { spanProcessors: [new SimpleSpanProcessor({ exporter: options.spanExporter })] } : exporterConfigured('TRACES') ? {} : { spanProcessors: [] }),
    ...(options.metricReader ? { metricReaders: [options.metricReader] } : exporterConfigured('METRICS') ? {} : { metricReaders: [] }),
    instrumentations: [
      new HttpInstrumentation({ applyCustomAttributesOnSpan: nameServerSpan }),
      // Nest's middlewares and routers would add a span each: only the route handler's is kept.
      new ExpressInstrumentation({ ignoreLayersType: [ExpressLayerType.MIDDLEWARE, ExpressLayerType.ROUTER] }),
      new KafkaJsInstrumentation(),
      new MongoDBInstrumentation(),
      new AwsInstrumentation(),
    ],
  });
  sdk.start();
  patchLoadedModules();
}

export async function stopTelemetry(): Promise<void> {
  const s = sdk;
  sdk = undefined;
  await s?.shutdown();
}
