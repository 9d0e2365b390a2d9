import { SpanKind, SpanStatusCode, context, propagation, trace } from '@opentelemetry/api';
import type { Attributes, Context, Span } from '@opentelemetry/api';

/** W3C traceparent of the active span, to carry in event metadata and message headers. */
export function activeTraceparent(): string | undefined {
  const carrier: Record<string, string> = {};
  propagation.inject(context.active(), carrier);
  return carrier['traceparent'];
}

/** A context whose parent is the span named by a stored traceparent (or the active one when absent). */
export function contextFromTraceparent(traceparent: string | undefined): Context {
  if (!traceparent) return context.active();
  return propagation.extract(context.active(), { traceparent });
}

export const tracer = trace.getTracer('mreg');

/** Marks a span failed with the exception recorded (OpenTelemetry's error status). */
export function recordFailure(span: Span, error: unknown): void {
  span.recordException(error instanceof Error ? error : String(error));
  span.setStatus({ code: SpanStatusCode.ERROR, ...(error instanceof Error ? { message: error.message } : {}) });
}

/** Runs `fn` in a new active span under `parent`, ending it after; a throw marks it failed and is rethrown. */
export async function inSpan<T>(name: string, kind: SpanKind, attributes: Attributes, parent: Context, fn: (span: Span) => Promise<T>): Promise<T> {
  const span = tracer.startSpan(name, { kind, attributes }, parent);
  try {
    return await context.with(trace.setSpan(parent, span), () => fn(span));
  } catch (error) {
    recordFailure(span, error);
    throw error;
  } finally {
    span.end();
  }
}

/** Messaging span attributes of OpenTelemetry's semantic conventions for a Kafka-style bus. */
export function messagingAttributes(operation: 'publish' | 'process', topic: string, extra: Attributes = {}): Attributes {
  return {
    'messaging.system': 'kafka',
    'messaging.destination.name': topic,
    'messaging.operation.type': operation,
    'messaging.operation.name': operation,
    ...extra,
  };
}

export { SpanKind };
