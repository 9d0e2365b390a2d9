import type { LogEntry, logCreator } from 'kafkajs';
import { logLevel as KafkaLogLevel } from 'kafkajs';

/** One log line from the Kafka adapter (kafkajs's own or the bus's). */
export interface KafkaLogRecord {
  readonly level: 'error' | 'warn' | 'info' | 'debug';
  /** kafkajs component (`Connection`, `Runner`, `ConsumerGroup` …) or `EventBus` for the adapter itself. */
  readonly namespace: string;
  readonly message: string;
  readonly detail: Readonly<Record<string, unknown>>;
}

export type KafkaLogSink = (record: KafkaLogRecord) => void;

/** Default sink: one JSON line on stderr, in the shape of the services' structured logs. */
export const stderrKafkaLogSink: KafkaLogSink = (record) => {
  process.stderr.write(`${JSON.stringify({ time: new Date().toISOString(), level: record.level, logger: `kafka.${record.namespace}`, message: record.message, ...record.detail })}\n`);
};

/** Repeats of one message within this window are counted, not printed. */
const REPEAT_WINDOW_MS = 60_000;
const MAX_TRACKED_MESSAGES = 500;

/**
 * Drops kafkajs lines that describe normal operation at ERROR/WARN level and collapses repeats, so a broker
 * outage or a rebalance storm gives a few lines, not one per request.
 */
export class KafkaLogFilter {
  private readonly recent = new Map<string, { until: number; suppressed: number }>();

  constructor(
    private readonly sink: KafkaLogSink,
    private readonly now: () => number = Date.now,
  ) {}

  write(record: KafkaLogRecord): void {
    if (isExpectedNoise(record)) return;
    const key = `${record.level}|${record.namespace}|${record.message}`;
    const now = this.now();
    const seen = this.recent.get(key);
    if (seen !== undefined && now < seen.until) {
      seen.suppressed++;
      return;
    }
    if (this.recent.size >= MAX_TRACKED_MESSAGES) this.recent.clear();
    this.recent.set(key, { until: now + REPEAT_WINDOW_MS, suppressed: 0 });
    const suppressed = seen?.suppressed ?? 0;
    this.sink(suppressed > 0 ? { ...record, detail: { ...record.detail, repeatsSuppressed: suppressed } } : record);
  }

  /** A kafkajs `logCreator` that feeds this filter. */
  creator(): logCreator {
    return () => (entry: LogEntry) => this.write(fromKafkaJs(entry));
  }
}

function isExpectedNoise(record: KafkaLogRecord): boolean {
  // kafkajs logs every failed protocol response (rebalance in progress, coordinator loading, topic already
  // exists …) at ERROR; the layer above retries it or surfaces it as an error of its own.
  if (record.namespace === 'Connection' && record.message.startsWith('Response ')) return true;
  // A member joining or leaving a group makes the others rejoin: that is how groups work.
  if (record.namespace === 'Runner' && record.message.startsWith('The group is rebalancing')) return true;
  // A send retried after a transient error (leader moved, metadata stale); a send that keeps failing rejects
  // publish(), which is where the caller learns about it.
  if (record.namespace === 'Producer' && record.message.startsWith('Failed to send messages')) return true;
  // The adapter reports consumer crashes itself, with the right level: a crash kafkajs restarts from is a warning.
  if (record.namespace === 'Consumer' && (record.message.startsWith('Crash: ') || record.message.startsWith('Restarting the consumer'))) return true;
  return false;
}

function fromKafkaJs(entry: LogEntry): KafkaLogRecord {
  const { message, timestamp: _timestamp, logger: _logger, stack: _stack, ...rest } = entry.log as Record<string, unknown>;
  const detail: Record<string, unknown> = {};
  for (const [name, value] of Object.entries(rest)) detail[name] = value instanceof Error ? value.message : value;
  // kafkajs prefixes messages with `[Namespace] `; the namespace has its own field.
  const text = typeof message === 'string' ? message.replace(/^\[[^\]]*\] /, '') : String(message);
  return { level: levelName(entry.level), namespace: entry.namespace, message: text, detail };
}

function levelName(level: KafkaLogLevel): KafkaLogRecord['level'] {
  switch (level) {
    case KafkaLogLevel.ERROR:
    case KafkaLogLevel.NOTHING:
      return 'error';
    case KafkaLogLevel.WARN:
      return 'warn';
    case KafkaLogLevel.INFO:
      return 'info';
    case KafkaLogLevel.DEBUG:
      return 'debug';
  }
}
