import type { RecordedEvent } from '@mreg/shared/contracts';
import type { BusMessage, InboundMessage } from './event-bus.port';

/** Kafka header values as kafkajs hands them over (a Buffer each, an array when a key repeats). */
export type RawHeaders = Readonly<Record<string, Buffer | string | readonly (Buffer | string)[] | undefined>>;

/** One record as it goes to Kafka: strings only, so the codec stays independent of the client library. */
export interface EncodedRecord {
  readonly key: string;
  readonly value: string;
  readonly headers: Record<string, string>;
}

/** A record that is not a JSON RecordedEvent; it cannot reach a handler, so it is dead-lettered as it is. */
export class UndecodableMessageError extends Error {
  override readonly name = 'UndecodableMessageError';
}

/**
 * The wire form of a bus message: value = the RecordedEvent as JSON with the bigint `position` as a decimal
 * string (JSON has no bigint), headers = the message's headers plus the W3C `traceparent` from the event's
 * metadata when the publisher did not set one, so consumers can continue the trace without parsing the value.
 */
export function encodeBusMessage(message: BusMessage): EncodedRecord {
  const { event } = message;
  const headers: Record<string, string> = { ...message.headers };
  if (headers['traceparent'] === undefined && event.metadata.traceparent) headers['traceparent'] = event.metadata.traceparent;
  return {
    key: message.key,
    value: JSON.stringify({ ...event, position: event.position.toString() }),
    headers,
  };
}

/** The inverse of {@link encodeBusMessage}; throws {@link UndecodableMessageError} for anything else. */
export function decodeBusMessage(
  topic: string,
  record: { readonly key: Buffer | null; readonly value: Buffer | null; readonly headers?: RawHeaders },
): BusMessage {
  if (record.value === null) throw new UndecodableMessageError('the record has no value');
  let parsed: unknown;
  try {
    parsed = JSON.parse(record.value.toString('utf8'));
  } catch (error: unknown) {
    throw new UndecodableMessageError(`the value is not JSON: ${error instanceof Error ? error.message : String(error)}`);
  }
  const event = toRecordedEvent(parsed);
  return {
    topic,
    // Records from other producers may lack a key; the stream id is what our publishers key by.
    key: record.key === null ? event.streamId : record.key.toString('utf8'),
    event,
    headers: decodeHeaders(record.headers),
  };
}

/** Header values as strings; for a repeated key the last value wins (as a map-shaped port can only hold one). */
export function decodeHeaders(headers: RawHeaders | undefined): Record<string, string> {
  const result: Record<string, string> = {};
  if (headers === undefined) return result;
  for (const [name, raw] of Object.entries(headers)) {
    const value: Buffer | string | undefined = isHeaderList(raw) ? raw[raw.length - 1] : raw;
    if (value === undefined) continue;
    result[name] = typeof value === 'string' ? value : value.toString('utf8');
  }
  return result;
}

function toRecordedEvent(value: unknown): RecordedEvent {
  if (!isRecord(value)) throw new UndecodableMessageError('the value is not a JSON object');
  const { streamId, streamRevision, position, type, metadata } = value;
  if (typeof streamId !== 'string') throw new UndecodableMessageError('streamId is missing');
  if (typeof streamRevision !== 'number') throw new UndecodableMessageError('streamRevision is missing');
  if (typeof position !== 'string' || !/^\d+$/.test(position)) throw new UndecodableMessageError('position is not a decimal string');
  if (typeof type !== 'string') throw new UndecodableMessageError('type is missing');
  if (!isRecord(value['data'])) throw new UndecodableMessageError('data is not an object');
  if (!isRecord(metadata) || typeof metadata['eventId'] !== 'string') throw new UndecodableMessageError('metadata.eventId is missing');
  // The checks above cover what the bus and its handlers rely on; the payload's own shape is the upcasters' job.
  return { ...value, position: BigInt(position) } as unknown as RecordedEvent;
}

function isHeaderList(value: RawHeaders[string]): value is readonly (Buffer | string)[] {
  return Array.isArray(value);
}

function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

/**
 * A record as a raw message: key and value as UTF-8 text (a record without a value, a tombstone, as ''),
 * headers as strings. Never throws: raw handlers judge the bytes themselves.
 */
export function decodeInboundMessage(
  topic: string,
  record: { readonly key: Buffer | null; readonly value: Buffer | null; readonly headers?: RawHeaders },
): InboundMessage {
  return {
    topic,
    key: record.key === null ? null : record.key.toString('utf8'),
    value: record.value === null ? '' : record.value.toString('utf8'),
    headers: decodeHeaders(record.headers),
  };
}

/** A bus message in its wire form: what a raw subscriber of an event topic sees. */
export function inboundOfBusMessage(message: BusMessage): InboundMessage {
  return { topic: message.topic, ...encodeBusMessage(message) };
}

/** A raw message read as a bus message (an event subscriber on a topic with raw traffic); throws {@link UndecodableMessageError}. */
export function busMessageOfInbound(message: InboundMessage): BusMessage {
  return decodeBusMessage(message.topic, {
    key: message.key === null ? null : Buffer.from(message.key, 'utf8'),
    value: Buffer.from(message.value, 'utf8'),
    headers: message.headers,
  });
}
