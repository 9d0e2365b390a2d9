import { createHash } from 'node:crypto';
import type { EventMetadata, RecordedEvent } from '@mreg/shared/contracts';
import { storedFormOf } from '@mreg/shared/contracts';

/** What an event's hash covers: everything that identifies it in its stream except the hash itself. */
export interface EventHashInput {
  readonly streamId: string;
  readonly revision: number;
  readonly type: string;
  readonly data: unknown;
  /** The event's metadata, `prevHash` included; a `hash` key, if present, is ignored. */
  readonly metadata: Omit<EventMetadata, 'hash'>;
}

export interface ChainVerification {
  readonly valid: boolean;
  /** Index (in the given array) of the first event whose link or hash does not hold. */
  readonly brokenAt?: number;
}

/**
 * JSON with object keys sorted at every level, so the same value always hashes the same no matter the key
 * order a writer or a storage engine produced. Arrays keep their order; undefined members are dropped like
 * JSON.stringify does.
 */
export function canonicalJson(value: unknown): string {
  if (value === null || typeof value !== 'object') {
    // JSON.stringify returns undefined for undefined/functions/symbols; they only occur as members, dropped below.
    return JSON.stringify(value) ?? 'null';
  }
  if (Array.isArray(value)) {
    return `[${value.map((item: unknown) => (item === undefined ? 'null' : canonicalJson(item))).join(',')}]`;
  }
  const record = value as Record<string, unknown>;
  const members = Object.keys(record)
    .filter((key) => record[key] !== undefined && typeof record[key] !== 'function' && typeof record[key] !== 'symbol')
    .sort(compareCodeUnits)
    .map((key) => `${JSON.stringify(key)}:${canonicalJson(record[key])}`);
  return `{${members.join(',')}}`;
}

/** sha256 (lowercase hex) of one event's canonical form; goes into `metadata.hash`. */
export function computeEventHash(input: EventHashInput): string {
  // Callers may hand over full metadata; the hash can never cover itself.
  const { hash: _ignored, ...metadata } = input.metadata as Omit<EventMetadata, 'hash'> & { hash?: string };
  const canonical = canonicalJson({
    streamId: input.streamId,
    revision: input.revision,
    type: input.type,
    data: input.data,
    metadata,
  });
  return createHash('sha256').update(canonical, 'utf8').digest('hex');
}

/**
 * Checks a stream's tamper-evident chain, events in revision order from the start of the stream:
 * event i links to event i-1 through `prevHash` ('' for the first) and its own `hash` recomputes. The hash covers
 * the event as stored: an event read through the upcasters is checked in its stored form.
 */
export function verifyChain(events: readonly RecordedEvent[]): ChainVerification {
  let previousHash = '';
  for (let i = 0; i < events.length; i++) {
    const event = storedFormOf(events[i]);
    if (event.metadata.prevHash !== previousHash) return { valid: false, brokenAt: i };
    const expected = computeEventHash({
      streamId: event.streamId,
      revision: event.streamRevision,
      type: event.type,
      data: event.data,
      metadata: event.metadata,
    });
    if (event.metadata.hash !== expected) return { valid: false, brokenAt: i };
    previousHash = event.metadata.hash;
  }
  return { valid: true };
}

// Plain code-unit order: deterministic and identical in every JS runtime (localeCompare is not).
function compareCodeUnits(a: string, b: string): number {
  return a < b ? -1 : a > b ? 1 : 0;
}
