import { NodeSDK } from '@opentelemetry/sdk-node';
import type { SpanExporter } from '@opentelemetry/sdk-trace';
import { SimpleSpanProcessor, BatchSpanProcessor, ConsoleSpanExporter } from '@opentelemetry/sdk-trace';
import { W3CTraceContextPropagator } from '@opentelemetry/core';

let sdk: NodeSDK | undefined;

/**
 * Starts OpenTelemetry for a service. Spans are exported when OTEL_TRACES_EXPORTER=console, or to the exporter
 * given (tests pass an in-memory one); otherwise tracing still runs so trace context flows through events.
 */
export function startTelemetry(serviceName: string, exporter?: SpanExporter): void {
  if (sdk) return;
  const chosen = exporter ?? (process.env['OTEL_TRACES_EXPORTER'] === 'console' ? new ConsoleSpanExporter() : undefined);
  sdk = new NodeSDK({
    serviceName,
    textMapPropagator: new W3CTraceContextPropagator(),
    spanProcessors: chosen ? [exporter ? new SimpleSpanProcessor({ exporter: chosen }) : new BatchSpanProcessor({ exporter: chosen })] : [],
    instrumentations: [],
  });
  sdk.start();
}

export async function stopTelemetry(): Promise<void> {
  const s = sdk;
  sdk = undefined;
  await s?.shutdown();
}
