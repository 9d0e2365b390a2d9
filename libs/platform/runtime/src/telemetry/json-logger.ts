import type { LoggerService, LogLevel } from '@nestjs/common';
import { trace } from '@opentelemetry/api';

/**
 * Nest's logger as JSON lines on stderr: `time`, `level`, `context`, `message`, and `trace_id` / `span_id` of the
 * active span, so a log line leads to its trace. Only the levels given are written (from MREG_LOG_LEVEL).
 */
export class JsonLogger implements LoggerService {
  private enabled: ReadonlySet<LogLevel>;

  constructor(
    levels: readonly LogLevel[],
    private readonly write: (line: string) => void = (line) => process.stderr.write(line),
  ) {
    this.enabled = new Set(levels);
  }

  setLogLevels(levels: LogLevel[]): void {
    this.enabled = new Set(levels);
  }

  log(message: unknown, ...rest: unknown[]): void {
    this.entry('log', message, rest);
  }

  error(message: unknown, ...rest: unknown[]): void {
    this.entry('error', message, rest);
  }

  warn(message: unknown, ...rest: unknown[]): void {
    this.entry('warn', message, rest);
  }

  debug(message: unknown, ...rest: unknown[]): void {
    this.entry('debug', message, rest);
  }

  verbose(message: unknown, ...rest: unknown[]): void {
    this.entry('verbose', message, rest);
  }

  fatal(message: unknown, ...rest: unknown[]): void {
    this.entry('fatal', message, rest);
  }

  private entry(level: LogLevel, message: unknown, rest: unknown[]): void {
    if (!this.enabled.has(level)) return;
    // Nest passes the context last; an error's stack comes before it.
    const context = rest.length > 0 && typeof rest[rest.length - 1] === 'string' ? (rest[rest.length - 1] as string) : undefined;
    const stack = level === 'error' || level === 'fatal' ? rest.find((r, i) => typeof r === 'string' && i < rest.length - 1) : undefined;
    const span = trace.getActiveSpan()?.spanContext();
    const line = {
      time: new Date().toISOString(),
      level,
      ...(context ? { context } : {}),
      message: message instanceof Error ? message.message : typeof message === 'string' ? message : JSON.stringify(message),
      ...(stack ? { stack } : message instanceof Error && message.stack ? { stack: message.stack } : {}),
      ...(span && trace.isSpanContextValid(span) ? { trace_id: span.traceId, span_id: span.spanId } : {}),
    };
    this.write(`${JSON.stringify(line)}\n`);
  }
}
