import { metrics } from '@opentelemetry/api';
import type { Counter, Histogram, MeterProvider } from '@opentelemetry/api';

/** The registry's own instruments (OpenTelemetry metrics API; the SDK's reader exports them). Seconds throughout. */
export interface TelemetryMetrics {
  /** `mreg.command.duration`: load, decide and append of one command, by `mreg.command.type`. */
  readonly commandDuration: Histogram;
  /** `mreg.event_store.append.duration`: one append to the log, by `mreg.stream.category`. */
  readonly appendDuration: Histogram;
  /** `mreg.relay.lag`: from an event's append to its publication on the bus, by `messaging.destination.name`. */
  readonly relayLag: Histogram;
  /** `mreg.projection.lag`: from an event's append to a projection having applied it, by `mreg.projection`. */
  readonly projectionLag: Histogram;
  /** `mreg.consistency.wait.duration`: how long a write waited for its read models (read-your-writes). */
  readonly consistencyWait: Histogram;
  /** `mreg.consistency.wait.timeouts`: writes answered before their read models caught up. */
  readonly consistencyTimeouts: Counter;
}

let cached: { provider: MeterProvider; instruments: TelemetryMetrics } | undefined;

/**
 * The instruments of the meter provider in force. The API has no proxy meter (one taken before the SDK
 * started would stay a no-op), so they are made again when the provider changes.
 */
export function telemetryMetrics(): TelemetryMetrics {
  const provider = metrics.getMeterProvider();
  if (cached?.provider === provider) return cached.instruments;
  const meter = provider.getMeter('mreg');
  const seconds = (name: string, description: string) => meter.createHistogram(name, { unit: 's', description });
  const instruments: TelemetryMetrics = {
    commandDuration: seconds('mreg.command.duration', 'Duration of a command: load, decide, append'),
    appendDuration: seconds('mreg.event_store.append.duration', 'Duration of one append to the event log'),
    relayLag: seconds('mreg.relay.lag', 'Time from an event being appended to its publication on the bus'),
    projectionLag: seconds('mreg.projection.lag', 'Time from an event being appended to a projection having applied it'),
    consistencyWait: seconds('mreg.consistency.wait.duration', 'Time a write waited for its read models'),
    consistencyTimeouts: meter.createCounter('mreg.consistency.wait.timeouts', { description: 'Writes answered before their read models caught up' }),
  };
  cached = { provider, instruments };
  return instruments;
}
