import { context, propagation, trace } from '@opentelemetry/api';
import type { Context } from '@opentelemetry/api';

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
